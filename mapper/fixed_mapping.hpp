// The fixed mapping of the Foundation issue: a simple, documented rule per layer (docs/accelerator-model.md),
// used until the auto-mapper exists and kept as the baseline the auto-mapper must never lose to.
//
// GEMM layers, on the chunk of their operator, with the chunk's first dataflow:
//   * tile sizes: keep the whole reduction (Kt = K) if possible so weight tiles are loaded once; fit Mt and
//   Nt
//     into half of the input / weight buffers (the other half holds the next tile: double buffering), then
//     shrink the larger of Mt, Nt until the accumulators fit half the output buffer; if even Mt = Nt = 1 does
//     not fit, halve Kt and retry. Mt and Nt are rounded down to multiples of the array side they map to.
//   * loop order g, n, m, k (k innermost, so an output tile stays in the output buffer until complete); a
//   tile
//     operand is loaded only when it differs from the one already held.
// Vector layers stream through the vector unit in tiles of whole rows that fill half its buffer.
// Where tensors live is the network mapper's decision (mapper/tensor_residency.hpp), shared with the search.
#pragma once

#include <vector>

#include "mapper/gemm_tiling.hpp"
#include "model/memory_transfer.hpp"
#include "plan/layer_plan.hpp"
#include "spec/arch_spec.hpp"
#include "spec/network.hpp"

namespace cosim {

// The fixed rule's tiling of one GEMM layer. Throws InputError when no tile fits.
GemmTiling fixed_gemm_tiling(const Network& net, const ArchSpec& arch, const Layer& l, const ChunkSpec& c,
                             const GemmProblem& p);

// One plan per layer that does work, in program order. Throws InputError when a layer fits no tile.
std::vector<LayerPlan> fixed_mapping(const Network& net, const ArchSpec& arch);

}  // namespace cosim
