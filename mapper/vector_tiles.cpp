#include "mapper/vector_tiles.hpp"

#include <algorithm>

#include "model/buffering.hpp"
#include "model/memory_transfer.hpp"
#include "spec/input_error.hpp"

namespace cosim {

uint64_t largest_vector_tile(const ArchSpec& arch, const VectorProblem& v) {
  const uint64_t E = v.elements, row = v.row;
  uint64_t total = v.output.bytes;
  for (const VectorTensor& t : v.inputs) total += t.bytes;
  const double bytes_per_element = double(total) / double(E);
  uint64_t T = uint64_t(double(arch.vector_unit.buffer) / kBufferSlots / bytes_per_element) / row * row;
  if (T == 0) {
    throw InputError(arch.file, "/vector_unit/buffer",
                     "the vector unit's buffer (" + size_text(arch.vector_unit.buffer) +
                         ") cannot hold one row of " + std::to_string(row) + " elements of " + v.what +
                         " twice for double buffering");
  }
  T = std::min(T, E);
  if ((E + T - 1) / T > kMaxTilesPerLayer) {
    throw InputError(arch.file, "/vector_unit/buffer",
                     std::to_string((E + T - 1) / T) + " tiles for " + v.what + ", more than the " +
                         std::to_string(kMaxTilesPerLayer) +
                         " per layer this simulator runs; reduce the batch");
  }
  return T;
}

void plan_vector_tiles(const ArchSpec& arch, const VectorProblem& vp, LayerPlan& p, uint64_t T) {
  const VectorUnitSpec& v = arch.vector_unit;
  const uint64_t E = vp.elements;
  const VectorOp op = vp.op;
  const std::vector<VectorTensor>& inputs = vp.inputs;
  const VectorTensor& output = vp.output;
  if (T == 0) T = largest_vector_tile(arch, vp);
  p.unit = arch.vector_unit_index();
  p.tiles.clear();
  p.actions = ActionCounts{};
  p.mapping.tile_m = int64_t(T);
  p.mapping.loop_order = "elements";
  p.mapping.input_home = inputs.empty() ? "" : (inputs.front().dram ? "DRAM" : "GLB");
  p.mapping.output_home = output.dram ? "DRAM" : "GLB";
  const VectorOpCost& cost = v.ops.at(op);
  ActionCounts& a = p.actions;
  // Bytes of a tensor up to element e, so that the tiles add up exactly to the tensor.
  auto upto = [E](uint64_t bytes, uint64_t e) { return uint64_t((unsigned __int128)bytes * e / E); };
  for (uint64_t e0 = 0; e0 < E; e0 += T) {
    const uint64_t e1 = std::min(E, e0 + T);
    TileStep t;
    for (const VectorTensor& in : inputs) {
      const uint64_t b = upto(in.bytes, e1) - upto(in.bytes, e0);
      if (b == 0) continue;
      t.loads.push_back(memory_transfer(arch, b, in.dram, TensorRole::Input, a));
      a.input_buffer_bytes += 2.0 * double(b);  // written by the DMA, read by the lanes
    }
    t.compute_cycles =
        (e1 - e0 + uint64_t(v.lanes) - 1) / uint64_t(v.lanes) * uint64_t(cost.cycles_per_element);
    const uint64_t ob = upto(output.bytes, e1) - upto(output.bytes, e0);
    if (ob > 0) {
      t.stores.push_back(memory_transfer(arch, ob, output.dram, TensorRole::Output, a));
      a.input_buffer_bytes += 2.0 * double(ob);  // written by the lanes, read by the DMA
    }
    a.macs += e1 - e0;
    a.compute_cycles += t.compute_cycles;
    p.tiles.push_back(std::move(t));
  }
}

}  // namespace cosim
