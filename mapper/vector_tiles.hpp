// Streaming a vector-unit layer: tiles of whole rows filling half the vector unit's buffer (the other half
// holds the next tile), loads and stores proportional to the elements of each tile.
#pragma once

#include <string>
#include <vector>

#include "mapper/layer_plan.hpp"
#include "spec/arch_spec.hpp"

namespace cosim {

struct VectorTensor {
  uint64_t bytes = 0;
  bool dram = false;
};

// `elements` element operations, `row` of which must stay in one tile; fills p.tiles, p.actions and the
// mapping. Throws InputError naming /vector_unit/buffer when one row does not fit twice.
void plan_vector_tiles(const ArchSpec& arch, const std::string& what, VectorOp op, uint64_t elements,
                       uint64_t row, const std::vector<VectorTensor>& inputs, VectorTensor output,
                       LayerPlan& p);

}  // namespace cosim
