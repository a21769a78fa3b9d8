// Streaming a vector-unit layer: tiles of whole rows filling half the vector unit's buffer (the other half
// holds the next tile), loads and stores proportional to the elements of each tile.
#pragma once

#include <string>
#include <vector>

#include "plan/layer_plan.hpp"
#include "spec/arch_spec.hpp"

namespace cosim {

struct VectorTensor {
  uint64_t bytes = 0;
  bool dram = false;
};

// A vector-unit layer: `elements` element operations, `row` of which must stay in one tile.
struct VectorProblem {
  std::string what;  // for errors: e.g. layer "block3.norm1" (of workloads/vit.json)
  VectorOp op = VectorOp::Add;
  uint64_t elements = 0, row = 1;
  std::vector<VectorTensor> inputs;
  VectorTensor output;
};

// The most elements per tile: whole rows filling half the buffer (the other half holds the next tile).
// Throws InputError naming /vector_unit/buffer when one row does not fit twice, or when the layer would need
// more tiles than the simulator runs.
uint64_t largest_vector_tile(const ArchSpec& arch, const VectorProblem& v);

// Fills p.tiles, p.actions and the mapping for tiles of `tile` elements (a multiple of the row, at most the
// largest; 0 means the largest).
void plan_vector_tiles(const ArchSpec& arch, const VectorProblem& v, LayerPlan& p, uint64_t tile = 0);

}  // namespace cosim
