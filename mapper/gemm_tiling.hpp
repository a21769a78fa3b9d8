// A GEMM layer cut into buffer-level tiles (docs/mapper.md): the tiles in the order a chunk runs them, and
// their action counts in closed form. Both the fixed mapping and the auto-mapper describe a GEMM mapping this
// way; the closed form is what lets the mapper cost a mapping without visiting its tiles.
//
// Loop nest (outermost first): g, then n and m in either order, then k innermost, so an output tile stays in
// the output buffer until its reduction is complete. An operand tile is loaded only when it differs from the
// one the chunk holds.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>

#include "model/buffering.hpp"
#include "model/fold_timing.hpp"
#include "model/memory_transfer.hpp"
#include "plan/layer_plan.hpp"
#include "plan/tile_pattern.hpp"
#include "spec/arch_spec.hpp"

namespace cosim {

// What a GEMM layer asks of its chunk, with the mapping's decisions about where its tensors live.
struct GemmProblem {
  int64_t groups = 1, m = 1, k = 1, n = 1;
  int a_bits = 8, b_bits = 8, acc_bits = 32, out_bits = 8;
  bool a_dram = true, b_dram = true, o_dram = true;  // where the tensors live (else the global buffer)
  double out_scale = 1.0;                            // stored output bytes / plain bytes (Q/K encoder)
  int rows = 16, cols = 16;                          // the chunk's array
};

struct GemmTiling {
  Dataflow dataflow = Dataflow::OutputStationary;
  int64_t mt = 1, kt = 1, nt = 1;  // tile sizes (the last tile of a dimension may be smaller)
  bool n_outer = true;             // loop order g n m k (else g m n k)
  const char* loop_order() const { return n_outer ? "g n m k" : "g m n k"; }
};

// Closed-form totals of a tiling.
struct GemmCost {
  ActionCounts actions;
  uint64_t tiles = 0;
  uint64_t dram_occupancy = 0, glb_occupancy = 0;  // cycles its transfers hold each channel
  bool uses_dram = false;
};

// Does the tiling fit the chunk's buffers, double buffered (each tile in one slot, model/buffering.hpp)?
bool gemm_tiling_fits(const GemmProblem& p, const ChunkSpec& c, const GemmTiling& t);
// The first buffer ("input", "weight", "output") an mt x kt x nt tile overflows, or nullptr.
const char* gemm_tile_overflow(const GemmProblem& p, const ChunkSpec& c, int64_t mt, int64_t kt, int64_t nt);

GemmCost gemm_cost(const ArchSpec& arch, const GemmProblem& p, const GemmTiling& t);

// One tile's compute: its cycles on the array and the actions of running it (operand reads into the array,
// result writes, partial-sum adds; docs/accelerator-model.md gives the per-dataflow counts). `count` tiles of
// this size add `count` times.
void add_gemm_compute(const GemmProblem& p, Dataflow d, int64_t m, int64_t k, int64_t n, bool first_k,
                      uint64_t count, ActionCounts& a);

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
  int64_t held_a[3] = {-1, -1, -1}, held_b[3] = {-1, -1, -1};
  const int64_t outer_end = ts.n_outer ? N : M, outer_step = ts.n_outer ? ts.nt : ts.mt;
  const int64_t inner_end = ts.n_outer ? M : N, inner_step = ts.n_outer ? ts.mt : ts.nt;
  TileStep t;
  for (int64_t g = 0; g < G; ++g) {
    for (int64_t o0 = 0; o0 < outer_end; o0 += outer_step) {
      for (int64_t i0 = 0; i0 < inner_end; i0 += inner_step) {
        const int64_t n0 = ts.n_outer ? o0 : i0, m0 = ts.n_outer ? i0 : o0;
        for (int64_t k0 = 0; k0 < K; k0 += ts.kt) {
          const int64_t m = std::min(ts.mt, M - m0), k = std::min(ts.kt, K - k0), n = std::min(ts.nt, N - n0);
          t.loads.clear();
          t.stores.clear();
          if (held_a[0] != g || held_a[1] != m0 || held_a[2] != k0) {
            t.loads.push_back(transfer_of(arch, bytes_of(uint64_t(m * k), p.a_bits), p.a_dram));
            held_a[0] = g, held_a[1] = m0, held_a[2] = k0;
          }
          if (held_b[0] != g || held_b[1] != k0 || held_b[2] != n0) {
            t.loads.push_back(transfer_of(arch, bytes_of(uint64_t(k * n), p.b_bits), p.b_dram));
            held_b[0] = g, held_b[1] = k0, held_b[2] = n0;
          }
          t.compute_cycles = tile_cycles(ts.dataflow, p.rows, p.cols, m, k, n);
          if (k0 + k == K) t.stores.push_back(transfer_of(arch, gemm_store_bytes(p, m, n), p.o_dram));
          f(static_cast<const TileStep&>(t));
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
