// A GEMM layer cut into tiles at two levels (docs/mapper.md): global-buffer tiles (what the global buffer
// holds of each tensor kept in DRAM, so that data reused across chunk tiles comes from DRAM once per
// global-buffer tile), and inside each, buffer-level (chunk) tiles. Both the fixed mapping and the
// auto-mapper describe a GEMM mapping this way; the closed form is what lets the mapper cost a mapping
// without visiting its tiles.
//
// Loop nest (outermost first): g; the global-buffer tiles, n and m in either order, then k (a slice of the
// reduction, whole unless the mapping cuts it); inside each, the chunk tiles, n and m in either order, then
// k innermost, so an output tile stays in the output buffer until the reduction of its global-buffer tile is
// complete. A global-buffer tile of a tensor in DRAM is fetched when it differs from the one held, before
// the first chunk tile that uses it; a finished global-buffer tile of an output kept in DRAM is written back
// after its last chunk tile. An operand's chunk tile is loaded from the global buffer (or, for weights that
// bypass it, from DRAM) when it differs from the one the chunk holds; the chunk starts afresh at each
// global-buffer tile. When the reduction is cut at the global-buffer level, an output tile leaves the output
// buffer as partial sums (accumulator width) at the end of each slice but the last and is loaded back at the
// start of the next: the partial sums of a global-buffer tile live in the global buffer until it is done.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <tuple>
#include <vector>

#include "model/buffering.hpp"
#include "model/fold_timing.hpp"
#include "model/memory_transfer.hpp"
#include "plan/layer_plan.hpp"
#include "plan/tile_pattern.hpp"
#include "spec/arch_spec.hpp"
#include "spec/network.hpp"

namespace cosim {

// What a GEMM layer asks of its chunk, with the mapping's decisions about where its tensors live.
struct GemmProblem {
  int64_t groups = 1, m = 1, k = 1, n = 1;
  int a_bits = 8, b_bits = 8, acc_bits = 32, out_bits = 8;
  bool a_dram = true, b_dram = true, o_dram = true;  // where the tensors live (else the global buffer)
  bool b_bypass = false;     // b comes from DRAM straight into the chunk, not through the global buffer
  double out_scale = 1.0;    // stored output bytes / plain bytes (Q/K encoder)
  int rows = 16, cols = 16;  // the chunk's array
  bool reads_every_operation = false;  // the chunk's PEs read operands and partial sums at every operation
  bool fold_pipelining = false;        // the chunk's folds overlap (model/fold_timing.hpp)
  uint64_t glb_budget = UINT64_MAX;    // bytes of the global buffer this layer's tiles may use
  ConvWindow window;                   // a convolution: a's global-buffer tiles hold raw input, not im2col

  bool a_staged() const { return a_dram; }  // tensors whose global-buffer tiles are fetched or written back
  bool b_staged() const { return b_dram && !b_bypass; }
  bool o_staged() const { return o_dram; }
  bool staged() const { return a_staged() || b_staged() || o_staged(); }
  // Every field, for comparing problems (two equal problems have the same mappings and costs).
  auto key() const {
    return std::make_tuple(groups, m, k, n, a_bits, b_bits, acc_bits, out_bits, a_dram, b_dram, o_dram,
                           b_bypass, out_scale, rows, cols, reads_every_operation, fold_pipelining,
                           glb_budget, window.key());
  }
  // Elements of a's global-buffer tile of `mg` rows and `kg` of the reduction: the expansion, or a
  // convolution's window.
  // `step`: the slices' size, when kg may be a shorter last slice (spec/network.hpp).
  uint64_t a_glb_elements(int64_t mg, int64_t kg, int64_t step) const {
    return staged_input_elements(window, mg, kg, step);
  }
  // Elements a fetch of a's global-buffer tile of `mg` rows brings from DRAM, tiles of `strip` rows fetched
  // in order: all of them, or, for a convolution whose tile `follows` the one before it in a pass over m
  // (same group and reduction slice, held by the buffer), those the one before does not hold (halo reuse,
  // ConvWindow::fetched_elements).
  uint64_t a_fetch_elements(int64_t mg, int64_t strip, int64_t kg, int64_t step, bool follows) const {
    return fetched_input_elements(window, mg, strip, kg, step, follows);
  }
  uint64_t psum_bytes(int64_t m, int64_t n) const { return bytes_of(uint64_t(m * n), acc_bits); }
  // A chunk tile's compute cycles and the overlap with the next tile (model/fold_timing.hpp). `k_min`,
  // `k_max`: the smallest and largest k of the layer's chunk tiles (WS/IS: the rows of the next tile's first
  // fold; OS: its stream).
  void set_compute(Dataflow d, int64_t m, int64_t k, int64_t n, int64_t k_min, int64_t k_max,
                   TileStep& t) const {
    t.compute_cycles = tile_cycles(d, rows, cols, m, k, n, fold_pipelining);
    t.compute_overlap = tile_overlap(d, rows, cols, m, k, n, fold_pipelining, k_min, k_max);
  }
  // A grouped layer (depthwise, grouped convolutions) whose global-buffer tiles hold a group's whole b (kg,
  // ng the whole of K, N) fetches the b of all its groups in one transfer before its first tile and keeps
  // it for the layer: a depthwise layer's 9 weights per channel are one burst-rounded transfer, not one
  // burst per channel.
  bool b_fetched_for_all_groups(int64_t kg, int64_t ng) const {
    return groups > 1 && b_staged() && kg >= k && ng >= n;
  }
  uint64_t all_groups_b_bytes() const { return bytes_of(uint64_t(groups) * uint64_t(k * n), b_bits); }
};

struct GemmTiling {
  Dataflow dataflow = Dataflow::OutputStationary;
  int64_t mt = 1, kt = 1, nt = 1;  // chunk tile sizes (the last tile of a dimension may be smaller)
  bool n_outer = true;             // chunk loop order g n m k (else g m n k)
  int64_t mg = 0, ng = 0;          // global-buffer tile: a multiple of mt / nt, or 0 for the whole dimension
  bool glb_n_outer = true;         // over global-buffer tiles: g n m k (else g m n k)
  int64_t kg = 0;                  // global-buffer slice of the reduction: a multiple of kt, or 0 for whole K
  const char* loop_order() const { return n_outer ? "g n m k" : "g m n k"; }
  const char* glb_loop_order() const { return glb_n_outer ? "g n m" : "g m n"; }
  int64_t glb_m(const GemmProblem& p) const { return mg == 0 ? p.m : std::min(mg, p.m); }
  int64_t glb_n(const GemmProblem& p) const { return ng == 0 ? p.n : std::min(ng, p.n); }
  int64_t glb_k(const GemmProblem& p) const { return kg == 0 ? p.k : std::min(kg, p.k); }
  bool psums_leave(const GemmProblem& p) const { return glb_k(p) < p.k; }  // partial sums to the GLB
  // The smallest and largest k of the layer's chunk tiles: the reduction cut into global-buffer slices, each
  // cut into chunk tiles of kt (the last of each may be shorter).
  std::pair<int64_t, int64_t> k_tile_range(const GemmProblem& p) const {
    const int64_t KG = glb_k(p);
    int64_t lo = INT64_MAX, hi = 0;
    for (const int64_t gk : {KG, p.k % KG}) {
      if (gk == 0) continue;
      for (const int64_t k : {std::min(kt, gk), gk % kt}) {
        if (k == 0) continue;
        lo = std::min(lo, k), hi = std::max(hi, k);
      }
    }
    return {lo, hi};
  }
};

// Closed-form totals of a tiling.
struct GemmCost {
  ActionCounts actions;
  uint64_t tiles = 0;
  uint64_t dram_occupancy = 0, glb_occupancy = 0;  // cycles its transfers hold each channel
  bool uses_dram = false;
};

// Does the tiling fit the chunk's buffers, double buffered (each tile in one slot, model/buffering.hpp), and
// the layer's share of the global buffer, with global-buffer tiles whole multiples of the chunk tiles?
//
// A global-buffer tile gets the whole share, not half of it: the unit's pipeline fetches the next tile's
// data in the load phase of its first chunk tile, which starts once the chunk has loaded the last data it
// reads from the current one (load t waits for load t - 1, model/pipeline_timing.hpp), and stores the next
// tile's first outputs only after the writebacks of the tile before (store t waits for writeback t - 1).
// So the buffer never holds two tiles' inputs, nor two tiles' outputs: at a tile boundary it holds the new
// inputs beside the old tile's last outputs, no more than one tile. The refill is charged as it happens (the
// chunk computes its last tile of the old one meanwhile, then waits for the fetch), which is the cost of a
// single-buffered tile; a tile fetched earlier would need a second slot and a prefetch the model does not
// make.
bool gemm_tiling_fits(const GemmProblem& p, const ChunkSpec& c, const GemmTiling& t);
// Bytes one global-buffer tile of mg x kg x ng holds: of the tensors staged there, and its partial sums when
// kg is not the whole reduction.
uint64_t glb_tile_bytes(const GemmProblem& p, int64_t mg, int64_t kg, int64_t ng);
bool glb_tile_fits(const GemmProblem& p, int64_t mg, int64_t kg, int64_t ng);
// With the reduction cut at the global-buffer level, an output tile's partial sums are loaded back at least
// kPsumDistance tiles after they were stored, so the pipeline's slot rules (model/pipeline_timing.hpp: a
// load waits for the compute two tiles back, which waited for the store two tiles before it) order the
// store before the load without a rule of their own: every global-buffer tile has enough chunk tiles.
constexpr int64_t kPsumDistance = 4;
bool psum_distance_ok(const GemmProblem& p, const GemmTiling& t);
// The global-buffer tilings worth weighing for a chunk tiling (docs/mapper.md): the whole layer when nothing
// is staged; else, with the whole reduction, the whole of m with the widest n that fits (chunk order n
// outer) or the whole of n with the widest m (m outer), the other one if that does not fit; else both (one
// chunk tile, widest other side) tilings. When those refetch an operand from DRAM, or weights that bypass
// the global buffer are reloaded per chunk tile, the same choices again for a slice of the reduction kt
// (partial sums in the global buffer) and, if the whole reduction refetches, for the widest of 8 kt, 4 kt,
// 2 kt that holds the whole of m or n. Appends to `out` copies of `t` with mg, ng, kg, glb_n_outer set.
void glb_tilings(const GemmProblem& p, const GemmTiling& t, std::vector<GemmTiling>& out);
// The first buffer ("input", "weight", "output") an mt x kt x nt tile overflows, or nullptr.
const char* gemm_tile_overflow(const GemmProblem& p, const ChunkSpec& c, int64_t mt, int64_t kt, int64_t nt);

GemmCost gemm_cost(const ArchSpec& arch, const GemmProblem& p, const GemmTiling& t);

// One tile's compute: its cycles on the array and the actions of running it (operand reads into the array,
// result writes, partial-sum adds; docs/accelerator-model.md gives the per-dataflow counts). `count` tiles of
// this size add `count` times. `k_range`: GemmTiling::k_tile_range (the busy cycles of pipelined arrays).
void add_gemm_compute(const GemmProblem& p, Dataflow d, int64_t m, int64_t k, int64_t n, bool first_k,
                      uint64_t count, std::pair<int64_t, int64_t> k_range, ActionCounts& a);

// The transfer of `bytes` to or from DRAM or the global buffer, without counting it.
inline Transfer transfer_of(const ArchSpec& arch, uint64_t bytes, bool dram) {
  return dram ? Transfer{dram_burst_bytes(bytes, arch), true} : Transfer{bytes, false};
}

inline uint64_t gemm_store_bytes(const GemmProblem& p, int64_t m, int64_t n) {
  return uint64_t(std::ceil(double(bytes_of(uint64_t(m * n), p.out_bits)) * p.out_scale));
}

// Calls f(const TileStep&) for every tile, in order. The TileStep is reused between calls.
template <class F>
void for_each_gemm_tile(const ArchSpec& arch, const GemmProblem& p, const GemmTiling& ts, F&& f) {
  const int64_t G = p.groups, M = p.m, K = p.k, N = p.n;
  const int64_t MG = ts.glb_m(p), NG = ts.glb_n(p), KG = ts.glb_k(p);
  const bool b_direct = p.b_dram && p.b_bypass;
  int64_t held_ga[3] = {-1, -1, -1}, held_gb[3] = {-1, -1, -1};  // GLB tiles held: (g, m0, k0), (g, k0, n0)
  const bool b_all_groups = p.b_fetched_for_all_groups(KG, NG);
  const auto k_range = ts.k_tile_range(p);
  const int64_t outer2_end = ts.glb_n_outer ? N : M, outer2_step = ts.glb_n_outer ? NG : MG;
  const int64_t inner2_end = ts.glb_n_outer ? M : N, inner2_step = ts.glb_n_outer ? MG : NG;
  TileStep t;
  std::vector<Transfer> fetches;
  for (int64_t g = 0; g < G; ++g) {
    for (int64_t o2 = 0; o2 < outer2_end; o2 += outer2_step) {
      for (int64_t i2 = 0; i2 < inner2_end; i2 += inner2_step) {
        for (int64_t gk0 = 0; gk0 < K; gk0 += KG) {
          const int64_t gn0 = ts.glb_n_outer ? o2 : i2, gm0 = ts.glb_n_outer ? i2 : o2;
          const int64_t gm = std::min(MG, M - gm0), gn = std::min(NG, N - gn0), gk = std::min(KG, K - gk0);
          const bool first_slice = gk0 == 0, last_slice = gk0 + gk == K;
          fetches.clear();
          if (p.a_staged() && (held_ga[0] != g || held_ga[1] != gm0 || held_ga[2] != gk0)) {
            const bool follows = held_ga[0] == g && held_ga[1] == gm0 - MG && held_ga[2] == gk0;
            fetches.push_back(
                transfer_of(arch, bytes_of(p.a_fetch_elements(gm, MG, gk, KG, follows), p.a_bits), true));
            held_ga[0] = g, held_ga[1] = gm0, held_ga[2] = gk0;
          }
          if (b_all_groups) {
            if (held_gb[0] == -1) fetches.push_back(transfer_of(arch, p.all_groups_b_bytes(), true));
            held_gb[0] = g;
          } else if (p.b_staged() && (held_gb[0] != g || held_gb[1] != gk0 || held_gb[2] != gn0)) {
            fetches.push_back(transfer_of(arch, bytes_of(uint64_t(gk * gn), p.b_bits), true));
            held_gb[0] = g, held_gb[1] = gk0, held_gb[2] = gn0;
          }
          int64_t held_a[2] = {-1, -1}, held_b[2] = {-1, -1};  // chunk tiles held: (m0, k0), (k0, n0)
          const int64_t outer_end = ts.n_outer ? gn : gm, outer_step = ts.n_outer ? ts.nt : ts.mt;
          const int64_t inner_end = ts.n_outer ? gm : gn, inner_step = ts.n_outer ? ts.mt : ts.nt;
          bool first = true;
          for (int64_t o0 = 0; o0 < outer_end; o0 += outer_step) {
            for (int64_t i0 = 0; i0 < inner_end; i0 += inner_step) {
              const int64_t n0 = ts.n_outer ? o0 : i0, m0 = ts.n_outer ? i0 : o0;
              for (int64_t k0 = 0; k0 < gk; k0 += ts.kt) {
                const int64_t m = std::min(ts.mt, gm - m0), k = std::min(ts.kt, gk - k0),
                              n = std::min(ts.nt, gn - n0);
                t.fetches.clear(), t.loads.clear(), t.stores.clear(), t.writebacks.clear();
                if (first) t.fetches = fetches;
                first = false;
                if (held_a[0] != m0 || held_a[1] != k0) {
                  t.loads.push_back(transfer_of(arch, bytes_of(uint64_t(m * k), p.a_bits), false));
                  held_a[0] = m0, held_a[1] = k0;
                }
                if (held_b[0] != k0 || held_b[1] != n0) {
                  t.loads.push_back(transfer_of(arch, bytes_of(uint64_t(k * n), p.b_bits), b_direct));
                  held_b[0] = k0, held_b[1] = n0;
                }
                if (k0 == 0 && !first_slice) t.loads.push_back(transfer_of(arch, p.psum_bytes(m, n), false));
                p.set_compute(ts.dataflow, m, k, n, k_range.first, k_range.second, t);
                if (k0 + k == gk) {
                  const uint64_t bytes = last_slice ? gemm_store_bytes(p, m, n) : p.psum_bytes(m, n);
                  t.stores.push_back(transfer_of(arch, bytes, false));
                }
                const bool last =
                    k0 + k == gk && o0 + outer_step >= outer_end && i0 + inner_step >= inner_end;
                if (last && last_slice && p.o_staged())
                  t.writebacks.push_back(transfer_of(arch, gemm_store_bytes(p, gm, gn), true));
                f(static_cast<const TileStep&>(t));
              }
            }
          }
        }
      }
    }
  }
}

// The same tiles as for_each_gemm_tile, as a pattern of a few nodes (loops g, outer, inner, k; in each, the
// first and ragged last iterations apart from the repeated middle ones).
TilePattern gemm_pattern(const ArchSpec& arch, const GemmProblem& p, const GemmTiling& t);

// Fills plan.tiles, plan.actions and plan.mapping (tile sizes, dataflow, loop order, homes).
void materialize_gemm(const ArchSpec& arch, const GemmProblem& p, const GemmTiling& t, LayerPlan& plan);

}  // namespace cosim
