// Maps a whole network: the decisions every mapping shares (which unit runs a layer, where each tensor lives,
// which plans wait for which, sparse attention on its engine) with the per-layer choices (a GEMM's tiling, a
// vector layer's tile size) left to a policy: the fixed rule (fixed_mapping.hpp) or the search
// (auto_mapping.hpp).
//
// Residency: weights and the network input start in DRAM; activations live in the global buffer or in DRAM as
// tensor_residency.hpp decides from their lifetimes.
#pragma once

#include <vector>

#include "mapper/gemm_tiling.hpp"
#include "mapper/vector_tiles.hpp"
#include "plan/layer_plan.hpp"
#include "spec/arch_spec.hpp"
#include "spec/input_error.hpp"
#include "spec/network.hpp"

namespace cosim {

class LayerMappingPolicy {
 public:
  virtual ~LayerMappingPolicy() = default;
  // The tiling of GEMM layer `l` on chunk `c`. Throws InputError when no tiling fits.
  virtual GemmTiling gemm(const Layer& l, const ChunkSpec& c, const GemmProblem& p) = 0;
  // Elements per tile of a vector-unit layer: a multiple of p.row, at most `largest`.
  virtual uint64_t vector_tile(const Layer& l, const VectorProblem& p, uint64_t largest) = 0;
};

// One plan per layer that does work, in program order. Throws InputError when a layer fits no mapping.
std::vector<LayerPlan> map_network(const Network& net, const ArchSpec& arch, LayerMappingPolicy& policy);

// Errors shared by the policies.
InputError too_many_tiles_error(const Network& net, const Layer& l, const ChunkSpec& c, uint64_t fewest);
InputError no_tile_fits_error(const ArchSpec& arch, const Network& net, const Layer& l, const ChunkSpec& c,
                              const GemmProblem& p);
InputError glb_too_small_error(const ArchSpec& arch, const Network& net, const Layer& l,
                               const GemmProblem& p);

}  // namespace cosim
