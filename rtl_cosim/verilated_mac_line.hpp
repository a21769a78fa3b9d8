// RtlMacLine over a Verilated rtl/mac_line.sv (include only where <systemc> is not included).
#pragma once

#include <memory>

#include "rtl_cosim/mac_line_cosim.hpp"
#include "rtl_cosim/verilated_bits.hpp"

namespace cosim {

template <class V>
class VerilatedMacLine : public RtlMacLine {
 public:
  VerilatedMacLine(int macs, int act_w, int acc_w)
      : top_(std::make_unique<V>()), macs_(macs), act_(act_w), acc_(acc_w) {
    top_->clk = 0;
    top_->eval();
  }
  void drive(bool rst, const Beat& b) override {
    top_->rst = rst;
    top_->axpy = b.axpy;
    top_->in_valid = b.valid;
    top_->in_first = b.first;
    top_->in_last = b.last;
    top_->in_row_last = b.row_last;
    top_->in_beat = uint8_t(b.beat);
    for (int i = 0; i < macs_; ++i) {
      put_bits(top_->in_a, i * act_, act_, low_bits(b.a[size_t(i)], act_));
      put_bits(top_->in_b, i * act_, act_, low_bits(b.b[size_t(i)], act_));
    }
  }
  void clock() override {
    top_->clk = 0;
    top_->eval();
    top_->clk = 1;
    top_->eval();
  }
  bool s1_valid() const override { return top_->s1_valid_q; }
  uint64_t s1_sum() const override { return top_->s1_sum_q; }
  uint64_t acc() const override { return get_bits(top_->acc_q, 0, acc_); }
  bool score_valid() const override { return top_->score_valid_q; }
  uint64_t row(int f) const override { return get_bits(top_->row_q, f * acc_, acc_); }
  bool flush_valid() const override { return top_->flush_valid_q; }
  uint64_t flush(int f) const override { return get_bits(top_->flush_q, f * acc_, acc_); }

 private:
  std::unique_ptr<V> top_;
  int macs_, act_, acc_;
};

}  // namespace cosim
