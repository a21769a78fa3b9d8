// Level-1 model: a rows x cols systolic array of PEs, advanced one clock edge at a time, bit-exact.
// Plain C++ (no SystemC inside): the SystemC module pe_array_module.hpp clocks it, and the RTL co-simulation
// steps it in lockstep with the Verilated arrays. The cycle-level protocol is specified in docs/pe-array.md.
#pragma once

#include <cstdint>
#include <vector>

#include "spec/op_types.hpp"

namespace cosim {

// One fold: out[m][n] = reduce_k f(a[m][k], w[k][n]); row-major operands.
struct FoldInput {
  int64_t m = 0, k = 0, n = 0;
  std::vector<int64_t> a;  // m x k activations
  std::vector<int64_t> w;  // k x n weights
};

// The operands of the transposed product: out^T = w^T a^T, an n x k by k x m fold. An output-stationary
// transposed fold runs as the output-stationary fold of these (the weights enter at the left edge).
FoldInput transposed_product(const FoldInput& fold);

class SystolicArray {
 public:
  SystolicArray(OpType op, int rows, int cols, const PeFormat& format);

  OpType op() const { return op_; }
  int rows() const { return rows_; }
  int cols() const { return cols_; }
  const PeFormat& format() const { return format_; }

  // Starts a fold (clears the array). The fold must fit the array for the dataflow. An output-stationary
  // transposed fold runs as the output-stationary fold of transposed_product(fold): the PE registers hold
  // that fold's values; outputs() gives out[m][n] as for the others.
  void start(Dataflow d, const FoldInput& fold);
  // One rising clock edge. Returns false once the fold has finished (all outputs emitted).
  bool step();
  bool done() const { return collected_ == out_.size(); }
  uint64_t cycles() const { return edge_; }
  // out[m * n_cols + n], valid once done().
  const std::vector<int64_t>& outputs() const { return out_; }

  // PE state after the last edge, for cycle-by-cycle comparison with RTL: the accumulator (OS) or the partial
  // sum register (WS/IS) of PE (r, c), and the operand registers.
  int64_t pe_sum(int r, int c) const { return sum_[idx(r, c)]; }
  bool pe_sum_valid(int r, int c) const { return sum_valid_[idx(r, c)] != 0; }
  int64_t pe_stationary(int r, int c) const { return stat_[idx(r, c)]; }
  int64_t pe_h(int r, int c) const { return h_[idx(r, c)]; }
  bool pe_h_valid(int r, int c) const { return h_valid_[idx(r, c)] != 0; }
  int64_t pe_v(int r, int c) const { return v_[idx(r, c)]; }
  bool pe_v_valid(int r, int c) const { return v_valid_[idx(r, c)] != 0; }

 private:
  size_t idx(int r, int c) const { return size_t(r) * size_t(cols_) + size_t(c); }
  template <OpType Op, Overflow Ov>
  void step_os();
  template <OpType Op, Overflow Ov>
  void step_stationary();
  template <OpType Op>
  void dispatch();  // WS and IS share the structure: stationary operand, horizontal stream, psums down
  void step_preload();
  void step_drain();

  OpType op_;
  int rows_, cols_;
  PeFormat format_;
  Dataflow dataflow_ = Dataflow::OutputStationary;
  bool transpose_out_ = false;  // an output-stationary transposed fold: out_ holds out^T until it is done
  FoldInput fold_;
  int64_t used_rows_ = 0, used_cols_ = 0, stream_ = 0;
  uint64_t edge_ = 0;
  size_t collected_ = 0;

  std::vector<int64_t> h_, v_, stat_, sum_;
  std::vector<uint8_t> h_valid_, v_valid_, sum_valid_;
  std::vector<int64_t> out_;
};

}  // namespace cosim
