#include "sim/pe_array/pipelined_array.hpp"

#include <algorithm>

#include "sim/pe_array/pe_arith.hpp"

namespace cosim {

void EdgeInputs::resize(int rows, int cols) {
  h.assign(size_t(rows), 0);
  h_valid.assign(size_t(rows), 0);
  h_mark.assign(size_t(rows), 0);
  v.assign(size_t(cols), 0);
  v_valid.assign(size_t(cols), 0);
  tap.assign(size_t(cols), 0);
}

void EdgeInputs::clear() {
  std::fill(h.begin(), h.end(), 0);
  std::fill(h_valid.begin(), h_valid.end(), 0);
  std::fill(h_mark.begin(), h_mark.end(), 0);
  std::fill(v.begin(), v.end(), 0);
  std::fill(v_valid.begin(), v_valid.end(), 0);
}

PipelinedArray::PipelinedArray(OpType op, int rows, int cols, const PeFormat& format)
    : op_(op), rows_(rows), cols_(cols), format_(format) {
  reset(Dataflow::WeightStationary);
}

void PipelinedArray::reset(Dataflow d) {
  dataflow_ = d;
  const size_t n = size_t(rows_) * size_t(cols_);
  for (auto* r : {&h_, &v_, &stat_, &shadow_, &sum_}) r->assign(n, 0);
  for (auto* r : {&h_valid_, &h_mark_, &v_valid_, &shadow_valid_, &sum_valid_}) r->assign(n, 0);
  next_drain_.assign(n, 0);
  next_drain_valid_.assign(n, 0);
}

int64_t PipelinedArray::port(int col, const EdgeInputs& in) const {
  const size_t p = idx(dataflow_ == Dataflow::OutputStationary ? 0 : in.tap[size_t(col)], col);
  return dataflow_ == Dataflow::OutputStationary ? shadow_[p] : sum_[p];
}

bool PipelinedArray::port_valid(int col, const EdgeInputs& in) const {
  const size_t p = idx(dataflow_ == Dataflow::OutputStationary ? 0 : in.tap[size_t(col)], col);
  return (dataflow_ == Dataflow::OutputStationary ? shadow_valid_[p] : sum_valid_[p]) != 0;
}

void PipelinedArray::step(const EdgeInputs& in) {
  switch (op_) {
    case OpType::Mult:
      dispatch<OpType::Mult>(in);
      break;
    case OpType::Shift:
      dispatch<OpType::Shift>(in);
      break;
    case OpType::Adder:
      dispatch<OpType::Adder>(in);
      break;
  }
}

template <OpType Op>
void PipelinedArray::dispatch(const EdgeInputs& in) {
  const bool os = dataflow_ == Dataflow::OutputStationary;
  if (format_.overflow == Overflow::Wrap) {
    os ? step_os<Op, Overflow::Wrap>(in) : step_stationary<Op, Overflow::Wrap>(in);
  } else {
    os ? step_os<Op, Overflow::Saturate>(in) : step_stationary<Op, Overflow::Saturate>(in);
  }
}

// PEs are visited bottom-right first, so each reads its left and upper neighbours' operand registers as the
// previous edge left them; the drain registers move up, against that order, so their next values are built
// aside and swapped in. OS: a valid pair accumulates; the pair marked last moves the sum into the PE's drain
// register and clears the accumulator; at every other edge the PE's drain register takes the one below it
// (the bottom row takes nothing); the top row's drain register is the column's output.
template <OpType Op, Overflow Ov>
void PipelinedArray::step_os(const EdgeInputs& in) {
  const PeFormat f = format_;
  const size_t C = size_t(cols_), R = size_t(rows_);
  for (int i = rows_ - 1; i >= 0; --i) {
    for (int j = cols_ - 1; j >= 0; --j) {
      const size_t p = idx(i, j);
      const int64_t a = j > 0 ? h_[p - 1] : in.h[size_t(i)];
      const uint8_t av = j > 0 ? h_valid_[p - 1] : in.h_valid[size_t(i)];
      const uint8_t last = j > 0 ? h_mark_[p - 1] : in.h_mark[size_t(i)];
      const int64_t w = i > 0 ? v_[p - C] : in.v[size_t(j)];
      const uint8_t wv = i > 0 ? v_valid_[p - C] : in.v_valid[size_t(j)];
      const uint8_t pair = av & wv;
      const int64_t acc = pair ? reduce_fixed<Ov>(sum_[p] + pe_term<Op>(a, w, f), f.acc_bits) : sum_[p];
      if (pair && last) {
        next_drain_[p] = acc;
        next_drain_valid_[p] = 1;
        sum_[p] = 0;
      } else {
        sum_[p] = acc;
        const bool bottom = size_t(i) + 1 == R;
        next_drain_[p] = bottom ? 0 : shadow_[p + C];
        next_drain_valid_[p] = bottom ? 0 : shadow_valid_[p + C];
      }
      h_[p] = a;
      h_valid_[p] = av;
      h_mark_[p] = last;
      v_[p] = w;
      v_valid_[p] = wv;
    }
  }
  shadow_.swap(next_drain_);
  shadow_valid_.swap(next_drain_valid_);
}

// WS/IS: a valid left operand computes with the shadow register if it is the first of its fold's stream (and
// copies the shadow into the stationary register), else with the stationary register; partial sums move down.
// A column whose top input is valid shifts its shadow registers down.
template <OpType Op, Overflow Ov>
void PipelinedArray::step_stationary(const EdgeInputs& in) {
  const PeFormat f = format_;
  const size_t C = size_t(cols_);
  const bool ws = dataflow_ == Dataflow::WeightStationary;
  for (int i = rows_ - 1; i >= 0; --i) {
    for (int j = cols_ - 1; j >= 0; --j) {
      const size_t p = idx(i, j);
      const int64_t x = j > 0 ? h_[p - 1] : in.h[size_t(i)];
      const uint8_t xv = j > 0 ? h_valid_[p - 1] : in.h_valid[size_t(i)];
      const uint8_t xf = j > 0 ? h_mark_[p - 1] : in.h_mark[size_t(i)];
      if (xv) {
        const int64_t held = xf ? shadow_[p] : stat_[p];
        const int64_t psum_in = i > 0 ? sum_[p - C] : 0;
        const int64_t term = ws ? pe_term<Op>(x, held, f) : pe_term<Op>(held, x, f);
        sum_[p] = reduce_fixed<Ov>(psum_in + term, f.acc_bits);
        if (xf) stat_[p] = held;
      }
      sum_valid_[p] = xv;
      h_[p] = x;
      h_valid_[p] = xv;
      h_mark_[p] = xf;
      if (in.v_valid[size_t(j)]) shadow_[p] = i > 0 ? shadow_[p - C] : in.v[size_t(j)];
    }
  }
}

}  // namespace cosim
