#include "mapper/fixed_mapping.hpp"

#include <algorithm>
#include <limits>

#include "mapper/network_mapper.hpp"
#include "spec/input_error.hpp"

namespace cosim {

namespace {

class FixedRule : public LayerMappingPolicy {
 public:
  FixedRule(const Network& net, const ArchSpec& arch) : net_(net), arch_(arch) {}

  GemmTiling gemm(const Layer& l, const ChunkSpec& c, const GemmProblem& prob) override {
    const Dataflow d = c.dataflows.front();
    const int64_t M = prob.m, K = prob.k, N = prob.n;
    // One slot of each buffer, in bits: the other slot holds the next tile (model/buffering.hpp).
    const uint64_t cap_in = buffer_slot_bits(c.input_buffer), cap_w = buffer_slot_bits(c.weight_buffer),
                   cap_out = buffer_slot_bits(c.output_buffer);

    // Array sides the m and n dims map to (1 when the dim streams in time).
    const SpatialMap sm = spatial_map(d, 1, 2, 3);  // which dims (1=m, 2=k, 3=n) sit on rows and cols
    auto side = [&](int which) -> int64_t {
      return sm.rows_dim == which ? c.rows : sm.cols_dim == which ? c.cols : 1;
    };
    auto align = [&](int64_t t, int64_t full, int which) {
      return (t < full && t >= side(which)) ? t / side(which) * side(which) : t;
    };

    // Candidates: Kt = K, K/2, K/4, ...; for each, the widest Mt, Nt that fit, and both orders of the m and n
    // loops. Halving stops once it no longer widens the tile (a smaller Kt would only add reloads). Keep the
    // one moving the fewest DRAM bytes, then the fewest compute cycles, then the fewest global buffer bytes;
    // ties go to the larger Kt, then to n outside.
    bool found = false;
    GemmTiling best;
    GemmCost best_cost;
    int64_t last_m = -1, last_n = -1;
    long double fewest_tiles = std::numeric_limits<long double>::infinity();
    bool glb_too_small = false;  // a chunk tile fits, but not its global-buffer tile
    for (int64_t Kt = K;; Kt = (Kt + 1) / 2) {
      int64_t Nt = std::min<int64_t>(N, int64_t(cap_w / uint64_t(Kt * prob.b_bits)));
      int64_t Mt = std::min<int64_t>(M, int64_t(cap_in / uint64_t(Kt * prob.a_bits)));
      while (Mt >= 1 && Nt >= 1 && uint64_t(Mt * Nt * prob.acc_bits) > cap_out) {
        if (Mt >= Nt)
          Mt = Mt / 2;
        else
          Nt = Nt / 2;
      }
      if (Mt >= 1 && Nt >= 1) {
        Mt = align(Mt, M, 1);
        Nt = align(Nt, N, 3);
        if (Mt == last_m && Nt == last_n) break;
        last_m = Mt;
        last_n = Nt;
        const long double tiles =
            (long double)prob.groups * ceil_div(N, Nt) * ceil_div(M, Mt) * ceil_div(K, Kt);
        fewest_tiles = std::min(fewest_tiles, tiles);
        if (tiles > (long double)kMaxTilesPerLayer) continue;
        std::vector<GemmTiling> cands;
        for (bool n_outer : {true, false}) glb_tilings(prob, GemmTiling{d, Mt, Kt, Nt, n_outer}, cands);
        if (cands.empty()) {
          // The global buffer's share cannot hold a strip of this chunk tile: an array-sized one, which the
          // tensor placement keeps room for (mapper/tensor_residency.hpp).
          const int64_t m_small = std::min<int64_t>(Mt, c.rows), n_small = std::min<int64_t>(Nt, c.cols);
          for (bool n_outer : {true, false})
            glb_tilings(prob, GemmTiling{d, m_small, Kt, n_small, n_outer}, cands);
        }
        if (cands.empty()) glb_too_small = true;
        for (const GemmTiling& cand : cands) {
          const GemmCost cost = gemm_cost(arch_, prob, cand);
          const ActionCounts &x = cost.actions, &y = best_cost.actions;
          const bool better = !found || x.dram_bytes < y.dram_bytes ||
                              (x.dram_bytes == y.dram_bytes &&
                               (x.compute_cycles < y.compute_cycles ||
                                (x.compute_cycles == y.compute_cycles && x.glb_bytes < y.glb_bytes)));
          if (better) best = cand, best_cost = cost;
          found = true;
        }
      }
      if (Kt == 1) break;
    }
    if (!found && glb_too_small) throw glb_too_small_error(arch_, net_, l, prob);
    if (!found && fewest_tiles < std::numeric_limits<long double>::infinity()) {
      throw too_many_tiles_error(net_, l, c, uint64_t(fewest_tiles));
    }
    if (!found) throw no_tile_fits_error(arch_, net_, l, c, prob);
    return best;
  }

  uint64_t vector_tile(const Layer&, const VectorProblem&, uint64_t largest) override { return largest; }

 private:
  const Network& net_;
  const ArchSpec& arch_;
};

}  // namespace

GemmTiling fixed_gemm_tiling(const Network& net, const ArchSpec& arch, const Layer& l, const ChunkSpec& c,
                             const GemmProblem& p) {
  return FixedRule(net, arch).gemm(l, c, p);
}

std::vector<LayerPlan> fixed_mapping(const Network& net, const ArchSpec& arch) {
  FixedRule rule(net, arch);
  return map_network(net, arch, rule);
}

}  // namespace cosim
