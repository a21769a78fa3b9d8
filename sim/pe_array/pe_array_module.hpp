// The level-1 SystemC model of a PE array: the plain C++ systolic array, clocked edge by edge.
#pragma once

#include "sim/clocked_model.hpp"
#include "sim/pe_array/pipelined_tile.hpp"
#include "sim/pe_array/systolic_array.hpp"

namespace cosim {

class PeArrayModule : public ClockedModel<SystolicArray> {
 public:
  PeArrayModule(sc_core::sc_module_name name, OpType op, int rows, int cols, const PeFormat& format,
                sc_core::sc_time period)
      : ClockedModel<SystolicArray>(name, period, op, rows, cols, format) {}

  // Runs a fold to completion; returns the simulated cycles (clock edges). Call from an SC_THREAD.
  uint64_t run_fold(Dataflow d, const FoldInput& fold) {
    return run([&](SystolicArray& a) { a.start(d, fold); });
  }
  const SystolicArray& array() const { return model(); }
};

// The level-1 SystemC model of an array whose folds pipeline, running whole tiles (docs/pe-array.md).
class PipelinedArrayModule : public ClockedModel<PipelinedTileModel> {
 public:
  PipelinedArrayModule(sc_core::sc_module_name name, OpType op, int rows, int cols, const PeFormat& format,
                       sc_core::sc_time period)
      : ClockedModel<PipelinedTileModel>(name, period, op, rows, cols, format) {}

  // Runs a tile to completion; returns the simulated cycles. Call from an SC_THREAD.
  uint64_t run_tile(Dataflow d, const FoldInput& tile, int64_t early_fold = -1) {
    return run([&](PipelinedTileModel& m) { m.start(d, tile, early_fold); });
  }
  // Several tiles back to back, as one layer's.
  uint64_t run_tiles(Dataflow d, const std::vector<FoldInput>& tiles) {
    return run([&](PipelinedTileModel& m) { m.start(d, tiles); });
  }
  const PipelinedTileModel& tile_model() const { return model(); }
};

}  // namespace cosim
