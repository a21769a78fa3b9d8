#include "mapper/gemm_tiling.hpp"

#include <array>
#include <functional>

namespace cosim {

namespace {

// A dimension cut into tiles: `count` tiles of `size`, then possibly one ragged tile.
struct Cut {
  int64_t size, count;
};

// At most a few entries: kept on the stack, as the mapper builds these for every mapping it weighs.
template <class T, size_t N>
struct SmallList {
  std::array<T, N> v{};
  size_t n = 0;
  void push_back(const T& x) { v[n++] = x; }
  const T* begin() const { return v.data(); }
  const T* end() const { return v.data() + n; }
};

SmallList<Cut, 2> cuts(int64_t dim, int64_t tile) {
  SmallList<Cut, 2> c;
  if (dim / tile) c.push_back({tile, dim / tile});
  if (dim % tile) c.push_back({dim % tile, 1});
  return c;
}

// The k tiles with what sets them apart: the first has no partial sums to add to, the last is stored.
struct KCut {
  int64_t size, count;
  bool first, last;
};

SmallList<KCut, 3> k_cuts(int64_t K, int64_t kt) {
  SmallList<KCut, 3> c;
  const int64_t nk = ceil_div(K, kt);
  if (nk == 1) {
    c.push_back({K, 1, true, true});
    return c;
  }
  c.push_back({kt, 1, true, false});
  if (nk > 2) c.push_back({kt, nk - 2, false, false});
  c.push_back({K - (nk - 1) * kt, 1, false, true});
  return c;
}

void add_transfers(const ArchSpec& arch, uint64_t bytes, bool dram, uint64_t count, GemmCost& c) {
  if (count == 0) return;
  ActionCounts one;
  const Transfer t = memory_transfer(arch, bytes, dram, one);
  c.actions.dram_bytes += one.dram_bytes * double(count);
  c.actions.glb_bytes += one.glb_bytes * double(count);
  const uint64_t occ = (dram ? arch.dram.rate : arch.global_buffer.rate).occupancy(t.bytes);
  (dram ? c.dram_occupancy : c.glb_occupancy) += occ * count;
  c.uses_dram = c.uses_dram || dram;
}

}  // namespace

const char* gemm_tile_overflow(const GemmProblem& p, const ChunkSpec& c, int64_t mt, int64_t kt, int64_t nt) {
  if (!fits_buffer_slot(uint64_t(mt * kt) * uint64_t(p.a_bits), c.input_buffer)) return "input";
  if (!fits_buffer_slot(uint64_t(kt * nt) * uint64_t(p.b_bits), c.weight_buffer)) return "weight";
  if (!fits_buffer_slot(uint64_t(mt * nt) * uint64_t(p.acc_bits), c.output_buffer)) return "output";
  return nullptr;
}

bool gemm_tiling_fits(const GemmProblem& p, const ChunkSpec& c, const GemmTiling& t) {
  return gemm_tile_overflow(p, c, t.mt, t.kt, t.nt) == nullptr;
}

void add_gemm_compute(const GemmProblem& p, Dataflow d, int64_t m, int64_t k, int64_t n, bool first_k,
                      uint64_t count, ActionCounts& a) {
  const SpatialMap s = spatial_map(d, m, k, n);
  const int64_t fr = ceil_div(s.rows_dim, p.rows), fc = ceil_div(s.cols_dim, p.cols);
  double a_reads = 0, b_reads = 0;
  int64_t result_writes = m * n;
  switch (d) {
    case Dataflow::OutputStationary:
      a_reads = double(m * k * fc), b_reads = double(k * n * fr);
      break;
    case Dataflow::WeightStationary:
      a_reads = double(m * k * fc), b_reads = double(k * n), result_writes = m * n * fr;
      break;
    case Dataflow::InputStationary:
      a_reads = double(m * k), b_reads = double(k * n * fc), result_writes = m * n * fr;
      break;
  }
  const uint64_t psum_adds = uint64_t(result_writes - m * n + (first_k ? 0 : m * n));
  const double c = double(count);
  a.input_buffer_bytes += c * (a_reads * p.a_bits / 8);
  a.weight_buffer_bytes += c * (b_reads * p.b_bits / 8);
  a.output_buffer_bytes += c * (double(uint64_t(result_writes) + psum_adds) * p.acc_bits / 8);
  a.psum_adds += count * psum_adds;
  a.macs += count * uint64_t(m * k * n);
  a.compute_cycles += count * tile_cycles(d, p.rows, p.cols, m, k, n);
}

GemmCost gemm_cost(const ArchSpec& arch, const GemmProblem& p, const GemmTiling& t) {
  GemmCost c;
  ActionCounts& a = c.actions;
  const uint64_t G = uint64_t(p.groups);
  const auto ms = cuts(p.m, t.mt), ns = cuts(p.n, t.nt);
  const auto ks = k_cuts(p.k, t.kt);
  const int64_t nm = ceil_div(p.m, t.mt), nn = ceil_div(p.n, t.nt), nk = ceil_div(p.k, t.kt);
  c.tiles = G * uint64_t(nm * nn * nk);
  // An operand tile is reloaded on every tile unless the reduction is one tile and the loop over the other
  // operand's blocks is inside the loop over its own (or has one block).
  const bool a_once_per_block = nk == 1 && (!t.n_outer || nm == 1);
  const bool b_once_per_block = nk == 1 && (t.n_outer || nn == 1);
  for (const Cut& m : ms) {
    for (const Cut& n : ns) {
      for (const KCut& k : ks) {
        const uint64_t count = G * uint64_t(m.count * n.count * k.count);
        add_gemm_compute(p, t.dataflow, m.size, k.size, n.size, k.first, count, a);
        if (!a_once_per_block) {
          const uint64_t bytes = bytes_of(uint64_t(m.size * k.size), p.a_bits);
          add_transfers(arch, bytes, p.a_dram, count, c);
          a.input_buffer_bytes += double(bytes) * double(count);
        }
        if (!b_once_per_block) {
          const uint64_t bytes = bytes_of(uint64_t(k.size * n.size), p.b_bits);
          add_transfers(arch, bytes, p.b_dram, count, c);
          a.weight_buffer_bytes += double(bytes) * double(count);
        }
        if (k.last) {
          a.output_buffer_bytes += double(count) * (double(m.size * n.size) * p.acc_bits / 8);
          add_transfers(arch, gemm_store_bytes(p, m.size, n.size), p.o_dram, count, c);
        }
      }
    }
  }
  if (a_once_per_block) {
    for (const Cut& m : ms) {
      const uint64_t bytes = bytes_of(uint64_t(m.size * p.k), p.a_bits);
      add_transfers(arch, bytes, p.a_dram, G * uint64_t(m.count), c);
      a.input_buffer_bytes += double(bytes) * double(G * uint64_t(m.count));
    }
  }
  if (b_once_per_block) {
    for (const Cut& n : ns) {
      const uint64_t bytes = bytes_of(uint64_t(p.k * n.size), p.b_bits);
      add_transfers(arch, bytes, p.b_dram, G * uint64_t(n.count), c);
      a.weight_buffer_bytes += double(bytes) * double(G * uint64_t(n.count));
    }
  }
  return c;
}

TilePattern gemm_pattern(const ArchSpec& arch, const GemmProblem& p, const GemmTiling& ts) {
  const int64_t nk = ceil_div(p.k, ts.kt), nm = ceil_div(p.m, ts.mt), nn = ceil_div(p.n, ts.nt);
  const int64_t outer_dim = ts.n_outer ? p.n : p.m, outer_tile = ts.n_outer ? ts.nt : ts.mt;
  const int64_t inner_dim = ts.n_outer ? p.m : p.n, inner_tile = ts.n_outer ? ts.mt : ts.nt;
  // Which operands a tile loads (see for_each_gemm_tile: a tile is loaded when it differs from the one held).
  auto tile = [&](int64_t o, int64_t i, int64_t k, bool last_k, bool first_inner, bool first_of_g) {
    const int64_t m = ts.n_outer ? i : o, n = ts.n_outer ? o : i;
    bool load_a = true, load_b = true;
    if (nk == 1) {
      load_a = ts.n_outer ? (nm > 1 || first_of_g) : first_inner;
      load_b = ts.n_outer ? first_inner : (nn > 1 || first_of_g);
    }
    TileStep t;
    if (load_a) t.loads.push_back(transfer_of(arch, bytes_of(uint64_t(m * k), p.a_bits), p.a_dram));
    if (load_b) t.loads.push_back(transfer_of(arch, bytes_of(uint64_t(k * n), p.b_bits), p.b_dram));
    t.compute_cycles = tile_cycles(ts.dataflow, p.rows, p.cols, m, k, n);
    if (last_k) t.stores.push_back(transfer_of(arch, gemm_store_bytes(p, m, n), p.o_dram));
    return t;
  };
  // The k loop of one (outer, inner) block.
  auto k_loop = [&](int64_t o, int64_t i, bool first_inner, bool first_of_g) {
    if (nk == 1) return TilePattern::of(tile(o, i, p.k, true, first_inner, first_of_g));
    std::vector<TilePattern> b;
    b.push_back(TilePattern::of(tile(o, i, ts.kt, false, first_inner, first_of_g)));
    if (nk > 2) b.push_back(TilePattern::of(tile(o, i, ts.kt, false, false, false), uint64_t(nk - 2)));
    b.push_back(TilePattern::of(tile(o, i, p.k - (nk - 1) * ts.kt, true, false, false)));
    return TilePattern::repeat(std::move(b), 1);
  };
  // Splits a loop into its first iteration, the repeated full ones and the ragged last one.
  auto loop = [](int64_t dim, int64_t step,
                 const std::function<TilePattern(int64_t size, bool first)>& body) {
    std::vector<TilePattern> b;
    const int64_t full = dim / step, rag = dim % step;
    if (full >= 1) b.push_back(body(step, true));
    if (full >= 2) b.push_back(TilePattern::repeat({body(step, false)}, uint64_t(full - 1)));
    if (rag) b.push_back(body(rag, full == 0));
    return TilePattern::repeat(std::move(b), 1);
  };
  const TilePattern group = loop(outer_dim, outer_tile, [&](int64_t o, bool first_outer) {
    return loop(inner_dim, inner_tile, [&](int64_t i, bool first_inner) {
      return k_loop(o, i, first_inner, first_outer && first_inner);
    });
  });
  return TilePattern::repeat({group}, uint64_t(p.groups));
}

void materialize_gemm(const ArchSpec& arch, const GemmProblem& p, const GemmTiling& t, LayerPlan& plan) {
  plan.mapping.dataflow = t.dataflow;
  plan.mapping.tile_m = t.mt;
  plan.mapping.tile_k = t.kt;
  plan.mapping.tile_n = t.nt;
  plan.mapping.loop_order = t.loop_order();
  plan.mapping.input_home = p.a_dram ? "DRAM" : "GLB";
  plan.mapping.weight_home = p.b_dram ? "DRAM" : "GLB";
  plan.mapping.output_home = p.o_dram ? "DRAM" : "GLB";
  plan.actions = gemm_cost(arch, p, t).actions;
  plan.tiles.clear();
  for_each_gemm_tile(arch, p, t, [&](const TileStep& s) { plan.tiles.push_back(s); });
}

}  // namespace cosim
