// The controller of a pipelined PE array (docs/pe-array.md, "With pipelining"): splits a tile into folds in
// the documented order, schedules them by the hazard rules of model/fold_timing.hpp, produces every edge's
// inputs and collects each fold's results from the column output ports at the edges the schedule says they
// leave. It drives the level-1 model (PipelinedTileModel) and the RTL alike.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "sim/pe_array/pipelined_array.hpp"
#include "sim/pe_array/systolic_array.hpp"

namespace cosim {

struct PipelinedFold {
  size_t tile = 0;             // which of the run's tiles
  int64_t stream = 0;          // T: the elements each row streams
  int64_t row0 = 0, col0 = 0;  // where the fold sits in the tile's spatial dims
  int64_t rows = 0, cols = 0;  // R_f, C_f
  int64_t preload = 0;         // P_f (WS/IS)
  int64_t start = 0;           // S_f
  FoldInput input;             // the fold's own m x k and k x n operands
  std::vector<int64_t> out;    // its results as collected from the ports, m x n
  size_t collected = 0;        // how many were (each is scheduled once)
};

class PipelinedTile {
 public:
  // early_fold > 0 starts that fold one edge before the hazards allow (tightness tests); -1 for none.
  PipelinedTile(Dataflow d, int rows, int cols, const FoldInput& tile, int64_t early_fold = -1);
  // Several tiles back to back, as the tiles of one layer: between them the array leaves the gap of
  // pipelined_boundary_gap for the range of k over the tiles (model/fold_timing.hpp).
  PipelinedTile(Dataflow d, int rows, int cols, const std::vector<FoldInput>& tiles);

  Dataflow dataflow() const { return dataflow_; }
  const std::vector<PipelinedFold>& folds() const { return folds_; }
  // Edges until the last result has left its port.
  uint64_t edges() const { return edges_; }

  // The inputs of rising edge `edge` (in must be sized for the array).
  void inputs(uint64_t edge, EdgeInputs& in) const;
  // After edge `edge`: records every result scheduled to leave a port at this edge. `valid`/`value` read
  // column j's port. A scheduled result whose port is not valid is an error (returned, empty if none).
  std::string collect(uint64_t edge, const std::function<bool(int)>& valid,
                      const std::function<int64_t(int)>& value);

 private:
  void split(const FoldInput& tile, size_t index);
  void schedule(int64_t early_fold, int64_t k_min, int64_t k_max);
  int64_t tap_start(const PipelinedFold& f, int64_t col) const;  // the edge its first result leaves col
  size_t tap_fold(uint64_t edge, int64_t col) const;
  void stream_inputs(const PipelinedFold& f, int64_t x, EdgeInputs& in) const;

  Dataflow dataflow_;
  int rows_, cols_;
  std::vector<PipelinedFold> folds_;
  uint64_t edges_ = 0;
};

// A pipelined array and its controller running one tile: the plain C++ model ClockedModel clocks.
class PipelinedTileModel {
 public:
  PipelinedTileModel(OpType op, int rows, int cols, const PeFormat& format);

  // An output-stationary transposed tile runs as the output-stationary tile of transposed_product(tile):
  // tile() then describes that tile, and its folds' results are out^T as they leave the ports.
  void start(Dataflow d, const FoldInput& tile, int64_t early_fold = -1);
  void start(Dataflow d, const std::vector<FoldInput>& tiles);
  bool step();
  bool done() const { return edge_ >= run_.edges(); }
  uint64_t cycles() const { return edge_; }
  const PipelinedArray& array() const { return array_; }
  const PipelinedTile& tile() const { return run_; }
  const std::vector<std::string>& errors() const { return errors_; }

 private:
  PipelinedArray array_;
  PipelinedTile run_;
  EdgeInputs in_;
  uint64_t edge_ = 0;
  std::vector<std::string> errors_;
};

}  // namespace cosim
