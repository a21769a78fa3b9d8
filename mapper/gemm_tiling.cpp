#include "mapper/gemm_tiling.hpp"

#include <array>

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

// A transfer on the DRAM channel, `count` times; `glb_side`: its other end is the global buffer (a fetch or a
// writeback), else a chunk buffer (weights that bypass the global buffer).
void add_dram(const ArchSpec& arch, uint64_t bytes, bool glb_side, uint64_t count, TensorRole role,
              GemmCost& c) {
  if (count == 0) return;
  const Transfer t = transfer_of(arch, bytes, true);
  c.actions.dram_bytes += double(t.bytes) * double(count);
  c.actions.dram_by_tensor[role] += double(t.bytes) * double(count);
  if (glb_side) {
    c.actions.glb_bytes += double(bytes) * double(count);
    c.actions.glb_by_tensor[role] += double(bytes) * double(count);
  }
  c.dram_occupancy += arch.dram.rate.occupancy(t.bytes) * count;
  c.uses_dram = true;
}

// A transfer between the global buffer and a chunk buffer, `count` times.
void add_glb(const ArchSpec& arch, uint64_t bytes, uint64_t count, TensorRole role, GemmCost& c) {
  if (count == 0) return;
  c.actions.glb_bytes += double(bytes) * double(count);
  c.actions.glb_by_tensor[role] += double(bytes) * double(count);
  c.glb_occupancy += arch.global_buffer.rate.occupancy(bytes) * count;
}

// An operand's chunk tile loaded `count` times: from the global buffer, or from DRAM when it bypasses it.
void add_chunk_load(const ArchSpec& arch, uint64_t bytes, bool from_dram, uint64_t count, TensorRole role,
                    GemmCost& c) {
  if (from_dram) {
    add_dram(arch, bytes, false, count, role, c);
  } else {
    add_glb(arch, bytes, count, role, c);
  }
}

// The chunk tiles of `count` global-buffer tiles of gm x gk x gn: compute, loads from the global buffer (the
// chunk starts afresh at each global-buffer tile) and stores to it. `slice`: which slice of the reduction
// the tiles are (the first has no partial sums to load, the last stores results, the others partial sums).
void add_chunk_tiles(const ArchSpec& arch, const GemmProblem& p, const GemmTiling& t, int64_t gm, int64_t gn,
                     const KCut& slice, uint64_t count, GemmCost& c) {
  ActionCounts& a = c.actions;
  const bool b_direct = p.b_dram && p.b_bypass;
  const int64_t gk = slice.size;
  const auto ms = cuts(gm, t.mt), ns = cuts(gn, t.nt);
  const auto ks = k_cuts(gk, t.kt);
  const int64_t nm = ceil_div(gm, t.mt), nn = ceil_div(gn, t.nt), nk = ceil_div(gk, t.kt);
  c.tiles += count * uint64_t(nm * nn * nk);
  // An operand tile is reloaded on every tile unless the reduction is one tile and the loop over the other
  // operand's blocks is inside the loop over its own (or has one block).
  const bool a_once_per_block = nk == 1 && (!t.n_outer || nm == 1);
  const bool b_once_per_block = nk == 1 && (t.n_outer || nn == 1);
  for (const Cut& m : ms) {
    for (const Cut& n : ns) {
      const double acc_bytes = double(m.size * n.size) * p.acc_bits / 8;
      for (const KCut& k : ks) {
        const uint64_t times = count * uint64_t(m.count * n.count * k.count);
        add_gemm_compute(p, t.dataflow, m.size, k.size, n.size, k.first && slice.first, times,
                         t.k_tile_range(p), a);
        if (!a_once_per_block) {
          const uint64_t bytes = bytes_of(uint64_t(m.size * k.size), p.a_bits);
          add_glb(arch, bytes, times, TensorRole::Input, c);
          a.input_buffer_bytes += double(bytes) * double(times);
        }
        if (!b_once_per_block) {
          const uint64_t bytes = bytes_of(uint64_t(k.size * n.size), p.b_bits);
          add_chunk_load(arch, bytes, b_direct, times, TensorRole::Weight, c);
          a.weight_buffer_bytes += double(bytes) * double(times);
        }
        if (k.first && !slice.first) {  // partial sums back into the output buffer
          add_glb(arch, p.psum_bytes(m.size, n.size), times, TensorRole::Psum, c);
          a.output_buffer_bytes += double(times) * acc_bytes;
        }
        if (k.last) {
          a.output_buffer_bytes += double(times) * acc_bytes;
          if (slice.last) {
            add_glb(arch, gemm_store_bytes(p, m.size, n.size), times, TensorRole::Output, c);
          } else {
            add_glb(arch, p.psum_bytes(m.size, n.size), times, TensorRole::Psum, c);
          }
        }
      }
    }
  }
  if (a_once_per_block) {
    for (const Cut& m : ms) {
      const uint64_t bytes = bytes_of(uint64_t(m.size * gk), p.a_bits), times = count * uint64_t(m.count);
      add_glb(arch, bytes, times, TensorRole::Input, c);
      a.input_buffer_bytes += double(bytes) * double(times);
    }
  }
  if (b_once_per_block) {
    for (const Cut& n : ns) {
      const uint64_t bytes = bytes_of(uint64_t(gk * n.size), p.b_bits), times = count * uint64_t(n.count);
      add_chunk_load(arch, bytes, b_direct, times, TensorRole::Weight, c);
      a.weight_buffer_bytes += double(bytes) * double(times);
    }
  }
}

// The largest multiple of `step` below `dim`, or `dim` itself, for which fits(size) holds (monotone in
// size); 0 if not even `step` fits.
template <class Fits>
int64_t largest_fitting(int64_t dim, int64_t step, Fits&& fits) {
  if (fits(dim)) return dim;
  if (step >= dim || !fits(step)) return 0;
  int64_t lo = 1, hi = ceil_div(dim, step);  // fits(lo * step); hi * step >= dim does not fit
  while (hi - lo > 1) {
    const int64_t mid = lo + (hi - lo) / 2;
    (fits(mid * step) ? lo : hi) = mid;
  }
  return lo * step;
}

// A loop over `dim` in steps of `step` as a pattern: its first iteration, the repeated middle ones and its
// last (ragged or not), each built by body(size, first, last).
template <class Body>
TilePattern loop_pattern(int64_t dim, int64_t step, Body&& body) {
  std::vector<TilePattern> b;
  const int64_t n = ceil_div(dim, step), last = dim - (n - 1) * step;
  b.push_back(body(n == 1 ? last : step, true, n == 1));
  if (n >= 3) b.push_back(TilePattern::repeat({body(step, false, false)}, uint64_t(n - 2)));
  if (n >= 2) b.push_back(body(last, false, true));
  return TilePattern::repeat(std::move(b), 1);
}

}  // namespace

const char* gemm_tile_overflow(const GemmProblem& p, const ChunkSpec& c, int64_t mt, int64_t kt, int64_t nt) {
  if (!fits_buffer_slot(uint64_t(mt * kt) * uint64_t(p.a_bits), c.input_buffer)) return "input";
  if (!fits_buffer_slot(uint64_t(kt * nt) * uint64_t(p.b_bits), c.weight_buffer)) return "weight";
  if (!fits_buffer_slot(uint64_t(mt * nt) * uint64_t(p.acc_bits), c.output_buffer)) return "output";
  return nullptr;
}

uint64_t glb_tile_bytes(const GemmProblem& p, int64_t mg, int64_t kg, int64_t ng) {
  uint64_t bytes = 0;
  if (p.a_staged()) bytes += bytes_of(p.a_glb_elements(mg, kg, kg), p.a_bits);
  if (p.b_fetched_for_all_groups(kg, ng)) {
    bytes += p.all_groups_b_bytes();  // held for the whole layer
  } else if (p.b_staged()) {
    bytes += bytes_of(uint64_t(kg) * uint64_t(ng), p.b_bits);
  }
  if (kg < p.k) {
    bytes += p.psum_bytes(mg, ng);  // partial sums, then the output in their place
  } else if (p.o_staged()) {
    bytes += gemm_store_bytes(p, mg, ng);
  }
  return bytes;
}

bool glb_tile_fits(const GemmProblem& p, int64_t mg, int64_t kg, int64_t ng) {
  return (!p.staged() && kg >= p.k) || glb_tile_bytes(p, mg, kg, ng) <= p.glb_budget;
}

bool psum_distance_ok(const GemmProblem& p, const GemmTiling& t) {
  if (!t.psums_leave(p)) return true;
  const int64_t MG = t.glb_m(p), NG = t.glb_n(p), KG = t.glb_k(p);
  // The smallest global-buffer tile (the ragged last one along each side) and the shortest slice.
  const int64_t gm = p.m - (ceil_div(p.m, MG) - 1) * MG, gn = p.n - (ceil_div(p.n, NG) - 1) * NG;
  const int64_t gk = p.k - (ceil_div(p.k, KG) - 1) * KG;
  const int64_t outputs = ceil_div(gm, t.mt) * ceil_div(gn, t.nt), chunk_k = ceil_div(gk, t.kt);
  return (outputs - 1) * chunk_k + 1 >= kPsumDistance;
}

bool gemm_tiling_fits(const GemmProblem& p, const ChunkSpec& c, const GemmTiling& t) {
  if (gemm_tile_overflow(p, c, t.mt, t.kt, t.nt) != nullptr) return false;
  const int64_t mg = t.glb_m(p), ng = t.glb_n(p), kg = t.glb_k(p);
  if ((mg < p.m && mg % t.mt != 0) || (ng < p.n && ng % t.nt != 0) || (kg < p.k && kg % t.kt != 0))
    return false;
  return glb_tile_fits(p, mg, kg, ng) && psum_distance_ok(p, t);
}

namespace {

// The global-buffer tilings of glb_tilings for one slice kg of the reduction; true if one holds the whole of
// m or of n (no operand is fetched from DRAM more than once per slice). `balanced`: also tiles that cut
// both sides, one side a power of two times its chunk tile and the other the widest that fits.
bool glb_tilings_for_slice(const GemmProblem& p, const GemmTiling& t, int64_t kg, size_t first,
                           std::vector<GemmTiling>& out, bool balanced = false) {
  auto fits = [&](int64_t mg, int64_t ng) { return glb_tile_fits(p, mg, kg, ng); };
  auto add = [&](int64_t mg, int64_t ng, bool glb_n_outer) {
    if (mg <= 0 || ng <= 0 || !fits(mg, ng)) return;
    mg = std::min(mg, p.m), ng = std::min(ng, p.n);
    if (mg == p.m || ng == p.n) glb_n_outer = true;  // one tile along a side: both orders visit the same
    GemmTiling g = t;
    g.mg = mg == p.m ? 0 : mg, g.ng = ng == p.n ? 0 : ng, g.glb_n_outer = glb_n_outer;
    g.kg = kg >= p.k ? 0 : kg;
    if (!psum_distance_ok(p, g)) return;
    for (size_t i = first; i < out.size(); ++i) {
      if (out[i].mg == g.mg && out[i].ng == g.ng && out[i].kg == g.kg && out[i].glb_n_outer == g.glb_n_outer)
        return;
    }
    out.push_back(g);
  };
  const int64_t mt = std::min(t.mt, p.m), nt = std::min(t.nt, p.n);
  if (!p.staged() && kg >= p.k) return add(p.m, p.n, true), true;
  auto widest_n = [&](int64_t mg) {
    return largest_fitting(p.n, nt, [&](int64_t ng) { return fits(mg, ng); });
  };
  auto widest_m = [&](int64_t ng) {
    return largest_fitting(p.m, mt, [&](int64_t mg) { return fits(mg, ng); });
  };
  // With the whole of m (or n) in a global-buffer tile, each staged tensor comes from DRAM once. Cutting the
  // other side along the chunk loop's outer dimension adds no chunk reloads (the chunk reloads the operand
  // of its inner dimension at every outer step anyway, so only a tensor held whole by the chunk is reloaded
  // more), so that one is taken when it fits.
  if (balanced) {
    // With the reduction sliced, every global-buffer tile fetches both operands' slices (and bypassing
    // weights their chunk tiles): a is fetched N / Ng times and b M / Mg times, so when the partial sums
    // (Mg x Ng) keep both sides from being whole, a tile cutting both sides can move fewer bytes.
    for (int64_t ng = nt * 2; ng < p.n; ng *= 2) add(widest_m(ng), ng, t.n_outer);
    for (int64_t mg = mt * 2; mg < p.m; mg *= 2) add(mg, widest_n(mg), t.n_outer);
  }
  const int64_t n_for_whole_m = widest_n(p.m), m_for_whole_n = widest_m(p.n);
  if (t.n_outer && n_for_whole_m > 0) return add(p.m, n_for_whole_m, true), true;
  if (!t.n_outer && m_for_whole_n > 0) return add(m_for_whole_n, p.n, false), true;
  if (n_for_whole_m > 0) return add(p.m, n_for_whole_m, true), true;
  if (m_for_whole_n > 0) return add(m_for_whole_n, p.n, false), true;
  // Neither side fits whole: one chunk tile along one side and the widest other side, keeping the wide
  // operand's tile while the narrow one streams past it (n outer: a refetched per n tile; m outer: b per m).
  add(mt, widest_n(mt), true);
  add(widest_m(nt), nt, false);
  return false;
}

}  // namespace

void glb_tilings(const GemmProblem& p, const GemmTiling& t, std::vector<GemmTiling>& out) {
  const size_t first = out.size();
  const bool whole_side = glb_tilings_for_slice(p, t, p.k, first, out);
  // Slices of the reduction pay for partial sums in the global buffer; they are weighed when the whole
  // reduction refetches an operand from DRAM or reloads bypassing weights from DRAM per chunk tile.
  // Of the slices kt x 8, 4, 2, 1 (below K), the widest whose tile holds the whole of m or of n (fewest
  // partial-sum round trips), else the narrowest; and one chunk tile's reduction (kg = kt) when weights
  // bypass (they are loaded once per global-buffer tile, as in a weight-stationary pass over m).
  const bool bypass_reloads = p.b_dram && p.b_bypass && t.kt < p.k;
  if (t.kt >= p.k || (whole_side && !bypass_reloads)) return;
  if (!whole_side) {
    std::vector<GemmTiling> scratch;
    for (int64_t j = 3; j >= 1; --j) {
      const int64_t kg = t.kt << j;
      if (kg >= p.k) continue;
      scratch.clear();
      if (glb_tilings_for_slice(p, t, kg, 0, scratch)) {
        for (const GemmTiling& g : scratch) out.push_back(g);
        break;
      }
    }
  }
  glb_tilings_for_slice(p, t, t.kt, first, out, bypass_reloads);
}

void add_gemm_compute(const GemmProblem& p, Dataflow d, int64_t m, int64_t k, int64_t n, bool first_k,
                      uint64_t count, std::pair<int64_t, int64_t> k_range, ActionCounts& a) {
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
    case Dataflow::OutputStationaryTransposed:  // a enters at the top once per row fold, b at the left
      a_reads = double(m * k * fr), b_reads = double(k * n * fc);
      break;
  }
  const uint64_t psum_adds = uint64_t(result_writes - m * n + (first_k ? 0 : m * n));
  const double c = double(count);
  double output_accesses = double(uint64_t(result_writes) + psum_adds);
  if (p.reads_every_operation) {
    // Every operation reads both operands and updates a partial sum, which it reads first unless it is the
    // first of the output's reduction (Eyeriss's scratchpads, Chen et al., ISCA 2016).
    const double ops = double(m * k * n);
    a_reads = ops, b_reads = ops;
    output_accesses = 2 * ops - (first_k ? double(m * n) : 0);
  }
  a.input_buffer_bytes += c * (a_reads * p.a_bits / 8);
  a.weight_buffer_bytes += c * (b_reads * p.b_bits / 8);
  a.output_buffer_bytes += c * (output_accesses * p.acc_bits / 8);
  a.psum_adds += count * psum_adds;
  a.macs += count * uint64_t(m * k * n);
  TileStep t;
  p.set_compute(d, m, k, n, k_range.first, k_range.second, t);
  a.compute_cycles += count * (t.compute_cycles - t.compute_overlap);  // the unit's busy cycles
}

GemmCost gemm_cost(const ArchSpec& arch, const GemmProblem& p, const GemmTiling& t) {
  GemmCost c;
  const uint64_t G = uint64_t(p.groups);
  const int64_t MG = t.glb_m(p), NG = t.glb_n(p), KG = t.glb_k(p);
  const auto ms = cuts(p.m, MG), ns = cuts(p.n, NG);
  const auto slices = k_cuts(p.k, KG);
  const int64_t nm = ceil_div(p.m, MG), nn = ceil_div(p.n, NG);
  // With the reduction sliced, consecutive global-buffer tiles differ in k: each fetches both operands.
  const bool sliced = KG < p.k;
  const bool a_once = !sliced && (!t.glb_n_outer || nm == 1), b_once = !sliced && (t.glb_n_outer || nn == 1);
  for (const Cut& m : ms) {
    for (const Cut& n : ns) {
      const uint64_t count = G * uint64_t(m.count * n.count);
      for (const KCut& k : slices) {
        add_chunk_tiles(arch, p, t, m.size, n.size, k, count * uint64_t(k.count), c);
        const uint64_t fetches = count * uint64_t(k.count);
        if (p.a_staged() && sliced)
          add_dram(arch, bytes_of(p.a_fetch_elements(m.size, MG, k.size, KG, false), p.a_bits), true, fetches,
                   TensorRole::Input, c);
        if (p.b_staged() && !b_once)
          add_dram(arch, bytes_of(uint64_t(k.size * n.size), p.b_bits), true, fetches, TensorRole::Weight, c);
      }
      if (p.o_staged())
        add_dram(arch, gemm_store_bytes(p, m.size, n.size), true, count, TensorRole::Output, c);
    }
  }
  // A global-buffer tile of an operand is fetched once per block when the loop over the other operand's
  // blocks is inside the loop over its own (or has one block).
  // Whole reduction: a fetches its tiles in passes over m (one per group, or per block of n when the loop
  // over m is inside), each tile after the first following the one before it.
  if (p.a_staged() && !sliced) {
    const uint64_t passes = a_once ? G : G * uint64_t(nn);
    bool first = true;
    for (const Cut& m : ms) {
      const auto bytes = [&](bool follows) {
        return bytes_of(p.a_fetch_elements(m.size, MG, p.k, p.k, follows), p.a_bits);
      };
      add_dram(arch, bytes(!first), true, passes, TensorRole::Input, c);
      add_dram(arch, bytes(true), true, passes * uint64_t(m.count - 1), TensorRole::Input, c);
      first = false;
    }
  }
  if (p.b_fetched_for_all_groups(KG, NG)) {
    add_dram(arch, p.all_groups_b_bytes(), true, 1, TensorRole::Weight, c);
  } else if (p.b_staged() && b_once) {
    for (const Cut& n : ns) {
      add_dram(arch, bytes_of(uint64_t(p.k * n.size), p.b_bits), true, G * n.count, TensorRole::Weight, c);
    }
  }
  return c;
}

TilePattern gemm_pattern(const ArchSpec& arch, const GemmProblem& p, const GemmTiling& ts) {
  const int64_t MG = ts.glb_m(p), NG = ts.glb_n(p), KG = ts.glb_k(p);
  const int64_t nm2 = ceil_div(p.m, MG), nn2 = ceil_div(p.n, NG);
  const bool b_direct = p.b_dram && p.b_bypass, sliced = KG < p.k;
  const auto k_range = ts.k_tile_range(p);
  // One global-buffer tile of gm x gk x gn whose first chunk tile carries `fetches` (see for_each_gemm_tile:
  // within it, a chunk tile loads an operand when it differs from the one held, starting afresh); the first
  // slice of the reduction has no partial sums to load, the last stores results, the others partial sums.
  auto glb_tile = [&](int64_t gm, int64_t gk, int64_t gn, bool first_slice, bool last_slice,
                      const std::vector<Transfer>& fetches) {
    const int64_t nm = ceil_div(gm, ts.mt), nn = ceil_div(gn, ts.nt), nk = ceil_div(gk, ts.kt);
    auto tile = [&](int64_t m, int64_t k, int64_t n, bool first_k, bool last_k, bool first_inner,
                    bool first_of_glb, bool last_of_glb) {
      bool load_a = true, load_b = true;
      if (nk == 1) {
        load_a = ts.n_outer ? (nm > 1 || first_of_glb) : first_inner;
        load_b = ts.n_outer ? first_inner : (nn > 1 || first_of_glb);
      }
      TileStep t;
      if (first_of_glb) t.fetches = fetches;
      if (load_a) t.loads.push_back(transfer_of(arch, bytes_of(uint64_t(m * k), p.a_bits), false));
      if (load_b) t.loads.push_back(transfer_of(arch, bytes_of(uint64_t(k * n), p.b_bits), b_direct));
      if (first_k && !first_slice) t.loads.push_back(transfer_of(arch, p.psum_bytes(m, n), false));
      p.set_compute(ts.dataflow, m, k, n, k_range.first, k_range.second, t);
      if (last_k)
        t.stores.push_back(
            transfer_of(arch, last_slice ? gemm_store_bytes(p, m, n) : p.psum_bytes(m, n), false));
      if (last_of_glb && last_slice && p.o_staged())
        t.writebacks.push_back(transfer_of(arch, gemm_store_bytes(p, gm, gn), true));
      return TilePattern::of(std::move(t));
    };
    return loop_pattern(ts.n_outer ? gn : gm, ts.n_outer ? ts.nt : ts.mt, [&](int64_t o, bool fo, bool lo) {
      return loop_pattern(ts.n_outer ? gm : gn, ts.n_outer ? ts.mt : ts.nt, [&](int64_t i, bool fi, bool li) {
        const int64_t m = ts.n_outer ? i : o, n = ts.n_outer ? o : i;
        return loop_pattern(gk, ts.kt, [&](int64_t k, bool fk, bool lk) {
          return tile(m, k, n, fk, lk, fi && fk, fo && fi && fk, lo && li && lk);
        });
      });
    });
  };
  // The global-buffer tiles: an operand's is fetched when it differs from the one held (always, when the
  // reduction is sliced: consecutive tiles differ in k).
  const bool b_all_groups = p.b_fetched_for_all_groups(KG, NG);
  // One group's tiles; `first_group`: the first of the layer (it fetches the b of all groups, when they
  // come in one transfer).
  auto group_pattern = [&](bool first_group) {
    return loop_pattern(
        ts.glb_n_outer ? p.n : p.m, ts.glb_n_outer ? NG : MG, [&](int64_t o, bool first_outer, bool) {
          return loop_pattern(
              ts.glb_n_outer ? p.m : p.n, ts.glb_n_outer ? MG : NG, [&](int64_t i, bool first_inner, bool) {
                const int64_t gm = ts.glb_n_outer ? i : o, gn = ts.glb_n_outer ? o : i;
                const bool first_of_g = first_outer && first_inner;
                return loop_pattern(p.k, KG, [&](int64_t gk, bool first_slice, bool last_slice) {
                  std::vector<Transfer> fetches;
                  if (p.a_staged() && (sliced || (ts.glb_n_outer ? (nm2 > 1 || first_of_g) : first_inner))) {
                    // The tile follows the one before it in its pass over m (for_each_gemm_tile).
                    const bool follows = !sliced && !(ts.glb_n_outer ? first_inner : first_outer);
                    fetches.push_back(transfer_of(
                        arch, bytes_of(p.a_fetch_elements(gm, MG, gk, KG, follows), p.a_bits), true));
                  }
                  if (b_all_groups) {
                    if (first_group && first_of_g)
                      fetches.push_back(transfer_of(arch, p.all_groups_b_bytes(), true));
                  } else if (p.b_staged() &&
                             (sliced || (ts.glb_n_outer ? first_inner : (nn2 > 1 || first_of_g)))) {
                    fetches.push_back(transfer_of(arch, bytes_of(uint64_t(gk * gn), p.b_bits), true));
                  }
                  return glb_tile(gm, gk, gn, first_slice, last_slice, fetches);
                });
              });
        });
  };
  if (!b_all_groups) return TilePattern::repeat({group_pattern(true)}, uint64_t(p.groups));
  return TilePattern::repeat(
      {group_pattern(true), TilePattern::repeat({group_pattern(false)}, uint64_t(p.groups - 1))}, 1);
}

void materialize_gemm(const ArchSpec& arch, const GemmProblem& p, const GemmTiling& t, LayerPlan& plan) {
  plan.mapping.dataflow = t.dataflow;
  plan.mapping.tile_m = t.mt;
  plan.mapping.tile_k = t.kt;
  plan.mapping.tile_n = t.nt;
  plan.mapping.loop_order = t.loop_order();
  plan.mapping.glb_tile_m = t.glb_m(p);
  plan.mapping.glb_tile_k = t.glb_k(p);
  plan.mapping.glb_tile_n = t.glb_n(p);
  plan.mapping.glb_loop_order = t.glb_loop_order();
  plan.mapping.input_home = p.a_dram ? "DRAM" : "GLB";
  plan.mapping.weight_home = !p.b_dram ? "GLB" : p.b_bypass ? "DRAM (bypass)" : "DRAM";
  plan.mapping.output_home = p.o_dram ? "DRAM" : "GLB";
  plan.glb_footprint = glb_tile_bytes(p, t.glb_m(p), t.glb_k(p), t.glb_n(p));
  plan.actions = gemm_cost(arch, p, t).actions;
  plan.tiles.clear();
  for_each_gemm_tile(arch, p, t, [&](const TileStep& s) { plan.tiles.push_back(s); });
}

}  // namespace cosim
