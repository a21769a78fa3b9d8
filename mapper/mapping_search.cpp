#include "mapper/mapping_search.hpp"

#include <algorithm>
#include <numeric>

namespace cosim {

std::vector<int64_t> tile_candidates(int64_t dim, int64_t side) {
  std::vector<int64_t> v{dim};
  if (dim <= kEveryTileUpTo) {
    for (int64_t t = dim - 1; t >= 1; --t) v.push_back(t);
    return v;
  }
  for (int64_t j = 2; j <= 8; ++j) v.push_back(ceil_div(dim, j));
  for (int64_t t = dim; t > 1; t = ceil_div(t, 2)) v.push_back(ceil_div(t, 2));
  for (int64_t j = 1; j <= 4 && side * j < dim; ++j) v.push_back(side * j);
  for (int64_t t = side * 8; t < dim; t *= 2) v.push_back(t);
  int divisors = 0;
  for (int64_t d = 2; d * d <= dim && divisors < 16; ++d) {
    if (dim % d == 0) v.push_back(d), v.push_back(dim / d), ++divisors;
  }
  std::sort(v.begin(), v.end(), std::greater<int64_t>());
  v.erase(std::unique(v.begin(), v.end()), v.end());
  while (!v.empty() && v.back() < 1) v.pop_back();
  return v;
}

namespace {

// A tiling and the lower bound of its objective (its closed-form counts are recomputed for the few costed
// exactly: keeping them for every candidate costs more than computing them twice).
struct Candidate {
  GemmTiling tiling;
  double bound = 0;  // of the objective
  uint64_t index = 0;
};

// Lower bound on a tiling's cycles alone on its chunk: each resource must do all its work.
uint64_t cycles_bound(const GemmCost& c, const ArchSpec& arch) {
  uint64_t b = std::max(c.actions.compute_cycles, c.glb_occupancy);
  if (c.uses_dram) b = std::max(b, c.dram_occupancy + arch.dram.latency_cycles);
  return b;
}

// `list` (descending) with the largest size of a dimension `dim` that the buffers allow (`fit`), and the
// balanced size with that many tiles, added in their places; the result descending, without repeats.
void with_fitting(const std::vector<int64_t>& list, int64_t dim, int64_t fit, std::vector<int64_t>& out) {
  out = list;
  fit = std::min(fit, dim);
  if (fit >= 1) {
    for (int64_t t : {fit, ceil_div(dim, ceil_div(dim, fit))}) {
      const auto at = std::lower_bound(out.begin(), out.end(), t, std::greater<int64_t>());
      if (at == out.end() || *at != t) out.insert(at, t);
    }
  }
}

bool better(double value, uint64_t index, double best_value, uint64_t best_index) {
  return value < best_value || (value == best_value && index < best_index);
}

}  // namespace

GemmChoice search_gemm(const LayerCostModel& model, int unit, const GemmProblem& p, Objective objective,
                       const std::vector<GemmTiling>& seeds, bool brute_force) {
  const ArchSpec& arch = model.arch();
  const ChunkSpec& c = arch.chunks[size_t(unit)];
  GemmChoice choice;
  std::vector<Candidate> cands;
  uint64_t fewest = UINT64_MAX;
  auto consider_one = [&](const GemmTiling& t) {
    if (!gemm_tiling_fits(p, c, t)) return;
    const long double tiles =
        (long double)p.groups * ceil_div(p.m, t.mt) * ceil_div(p.k, t.kt) * ceil_div(p.n, t.nt);
    if (tiles > (long double)kMaxTilesPerLayer) {
      fewest = std::min<uint64_t>(fewest, tiles > 1e19L ? UINT64_MAX : uint64_t(tiles));
      return;
    }
    const GemmCost cost = gemm_cost(arch, p, t);
    const uint64_t cb = cycles_bound(cost, arch);
    const LayerCost lb{cb, model.energy_pJ(unit, cost.actions, VectorOp::Add, cb)};
    cands.push_back({t, lb.value(objective), uint64_t(cands.size())});
  };
  // A chunk tiling with each of its global-buffer tilings.
  std::vector<GemmTiling> with_glb;
  auto consider = [&](const GemmTiling& t) {
    with_glb.clear();
    glb_tilings(p, t, with_glb);
    for (const GemmTiling& g : with_glb) consider_one(g);
  };
  for (const GemmTiling& s : seeds) consider_one(s);
  for (Dataflow d : c.dataflows) {
    const SpatialMap side = spatial_map(d, 1, 2, 3);
    auto side_of = [&](int which) -> int64_t {
      return side.rows_dim == which ? c.rows : side.cols_dim == which ? c.cols : 1;
    };
    const std::vector<int64_t> ms = tile_candidates(p.m, side_of(1)), ks = tile_candidates(p.k, side_of(2)),
                               ns = tile_candidates(p.n, side_of(3));
    std::vector<int64_t> ms_k, ns_mk;
    for (bool n_outer : {true, false}) {
      for (int64_t kt : ks) {
        // Even one row of this reduction overflows the input buffer.
        if (!fits_buffer_slot(uint64_t(kt) * uint64_t(p.a_bits), c.input_buffer)) continue;
        const uint64_t in_slot = buffer_slot_bits(c.input_buffer), w_slot = buffer_slot_bits(c.weight_buffer),
                       out_slot = buffer_slot_bits(c.output_buffer);
        with_fitting(ms, p.m, int64_t(in_slot / (uint64_t(kt) * uint64_t(p.a_bits))), ms_k);
        for (int64_t mt : ms_k) {
          if (!fits_buffer_slot(uint64_t(mt * kt) * uint64_t(p.a_bits), c.input_buffer)) continue;
          const int64_t n_fit = int64_t(std::min(w_slot / (uint64_t(kt) * uint64_t(p.b_bits)),
                                                 out_slot / (uint64_t(mt) * uint64_t(p.acc_bits))));
          with_fitting(ns, p.n, n_fit, ns_mk);
          for (int64_t nt : ns_mk) consider({d, mt, kt, nt, n_outer});
        }
      }
    }
  }
  choice.stats.considered = cands.size();
  if (cands.empty()) {
    choice.fewest_tiles = fewest == UINT64_MAX ? 0 : fewest;
    return choice;
  }
  // Visit in order of bound (ties: enumeration order); sorting keys, not the candidates, is cheaper.
  std::vector<std::pair<double, uint32_t>> order(cands.size());
  for (size_t i = 0; i < cands.size(); ++i) order[i] = {brute_force ? 0.0 : cands[i].bound, uint32_t(i)};
  if (!brute_force) std::sort(order.begin(), order.end());
  double best_value = 0;
  uint64_t best_index = UINT64_MAX;
  for (const auto& [bound, i] : order) {
    const Candidate& x = cands[i];
    if (!brute_force && best_index != UINT64_MAX && !better(x.bound, x.index, best_value, best_index)) break;
    const LayerCost cost = model.gemm(unit, p, x.tiling, gemm_cost(arch, p, x.tiling));
    ++choice.stats.simulated;
    const double v = cost.value(objective);
    if (best_index == UINT64_MAX || better(v, x.index, best_value, best_index)) {
      best_value = v, best_index = x.index;
      choice.tiling = x.tiling, choice.cost = cost, choice.found = true;
    }
  }
  return choice;
}

VectorChoice search_vector(const LayerCostModel& model, const VectorProblem& v, uint64_t largest,
                           Objective objective) {
  VectorChoice best;
  uint64_t last = 0;
  for (int i = 0; i < 8; ++i) {
    const uint64_t tile = std::max<uint64_t>(v.row, (largest >> i) / v.row * v.row);
    if (tile == last) break;
    last = tile;
    if ((v.elements + tile - 1) / tile > kMaxTilesPerLayer) break;
    LayerPlan p;
    plan_vector_tiles(model.arch(), v, p, tile);
    const LayerCost cost = model.plan(p, v.op);
    ++best.stats.considered, ++best.stats.simulated;
    if (best.tile == 0 || cost.value(objective) < best.cost.value(objective))
      best.tile = tile, best.cost = cost;
  }
  return best;
}

}  // namespace cosim
