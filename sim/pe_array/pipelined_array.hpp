// Level-1 model of a PE array whose folds pipeline (docs/pe-array.md, "With pipelining"): the whole
// rows x cols array, every register of every PE, advanced one rising edge at a time from explicit edge
// inputs. The controller that decides those inputs (which fold streams where, when to swap, which row each
// column's output port reads) is PipelinedTile (pipelined_tile.hpp); the RTL is driven by the same
// controller.
#pragma once

#include <cstdint>
#include <vector>

#include "spec/op_types.hpp"

namespace cosim {

// The inputs of one rising edge.
struct EdgeInputs {
  std::vector<int64_t> h;                // per row: left operand
  std::vector<uint8_t> h_valid, h_mark;  // per row: valid; mark: WS/IS first, OS last element of a stream
  std::vector<int64_t> v;                // per column: top operand (OS weight, WS/IS preload value)
  std::vector<uint8_t> v_valid;          // per column: valid; for WS/IS the column's shadows shift
  std::vector<int> tap;                  // per column, WS/IS: the row the output port reads

  void resize(int rows, int cols);
  void clear();  // everything invalid, taps kept
};

class PipelinedArray {
 public:
  PipelinedArray(OpType op, int rows, int cols, const PeFormat& format);

  OpType op() const { return op_; }
  int rows() const { return rows_; }
  int cols() const { return cols_; }
  const PeFormat& format() const { return format_; }

  void reset(Dataflow d);  // every register cleared (the RTL's reset)
  void step(const EdgeInputs& in);

  // Column j's output port, from the registers the last edge left: WS/IS the partial sum of row in.tap[j], OS
  // the drain register of row 0.
  int64_t port(int col, const EdgeInputs& in) const;
  bool port_valid(int col, const EdgeInputs& in) const;

  int64_t pe_sum(int r, int c) const { return sum_[idx(r, c)]; }
  bool pe_sum_valid(int r, int c) const { return sum_valid_[idx(r, c)] != 0; }
  int64_t pe_stationary(int r, int c) const { return stat_[idx(r, c)]; }
  int64_t pe_shadow(int r, int c) const { return shadow_[idx(r, c)]; }  // WS/IS shadow, OS drain register
  bool pe_shadow_valid(int r, int c) const { return shadow_valid_[idx(r, c)] != 0; }
  int64_t pe_h(int r, int c) const { return h_[idx(r, c)]; }
  bool pe_h_valid(int r, int c) const { return h_valid_[idx(r, c)] != 0; }
  bool pe_h_mark(int r, int c) const { return h_mark_[idx(r, c)] != 0; }
  int64_t pe_v(int r, int c) const { return v_[idx(r, c)]; }
  bool pe_v_valid(int r, int c) const { return v_valid_[idx(r, c)] != 0; }

 private:
  size_t idx(int r, int c) const { return size_t(r) * size_t(cols_) + size_t(c); }
  template <OpType Op, Overflow Ov>
  void step_os(const EdgeInputs& in);
  template <OpType Op, Overflow Ov>
  void step_stationary(const EdgeInputs& in);
  template <OpType Op>
  void dispatch(const EdgeInputs& in);

  OpType op_;
  int rows_, cols_;
  PeFormat format_;
  Dataflow dataflow_ = Dataflow::WeightStationary;
  std::vector<int64_t> h_, v_, stat_, shadow_, sum_;
  std::vector<uint8_t> h_valid_, h_mark_, v_valid_, shadow_valid_, sum_valid_;
  std::vector<int64_t>
      next_drain_;  // OS: the drain registers after this edge (they shift against the visit order)
  std::vector<uint8_t> next_drain_valid_;
};

}  // namespace cosim
