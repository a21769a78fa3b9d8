// RtlPeArray over a Verilated rtl/pe_array.sv. Include only in files that do not include <systemc>
// (../shared/notes: verilated.h must come first where both are used).
#pragma once

#include <memory>

#include "rtl_cosim/rtl_pe_array.hpp"
#include "rtl_cosim/verilated_bits.hpp"

namespace cosim {

template <class V>
class VerilatedPeArray : public RtlPeArray {
 public:
  VerilatedPeArray(int rows, int cols, int dw, int acc_w)
      : top_(std::make_unique<V>()), rows_(rows), cols_(cols), dw_(dw), acc_(acc_w) {
    top_->clk = 0;
    top_->eval();  // one evaluation with the clock low before the first rising edge
  }
  void set_control(bool rst, int mode, int phase, int active_rows, bool pipelined) override {
    top_->rst = rst;
    top_->pipelined = pipelined;
    top_->mode = uint8_t(mode);
    top_->phase = uint8_t(phase);
    top_->active_rows = uint8_t(active_rows);
  }
  void set_h(int row, uint64_t bits, bool valid, bool mark) override {
    put_bits(top_->h_in, row * dw_, dw_, bits);
    put_bits(top_->h_in_valid, row, 1, valid);
    put_bits(top_->h_in_mark, row, 1, mark);
  }
  void set_tap(int col, int row) override { put_bits(top_->tap, col * 8, 8, uint64_t(row)); }
  void eval() override { top_->eval(); }
  uint64_t out(int col) const override { return get_bits(top_->out, col * acc_, acc_); }
  bool out_valid(int col) const override { return get_bits(top_->out_valid, col, 1); }
  void set_v(int col, uint64_t bits, bool valid) override {
    put_bits(top_->v_in, col * dw_, dw_, bits);
    put_bits(top_->v_in_valid, col, 1, valid);
  }
  void clock() override {
    top_->clk = 0;
    top_->eval();
    top_->clk = 1;
    top_->eval();
  }
  uint64_t sum(int r, int c) const override { return get_bits(top_->sum_q, p(r, c) * acc_, acc_); }
  bool sum_valid(int r, int c) const override { return get_bits(top_->sum_valid_q, p(r, c), 1); }
  uint64_t h(int r, int c) const override { return get_bits(top_->h_q, p(r, c) * dw_, dw_); }
  bool h_valid(int r, int c) const override { return get_bits(top_->h_valid_q, p(r, c), 1); }
  uint64_t v(int r, int c) const override { return get_bits(top_->v_q, p(r, c) * dw_, dw_); }
  bool v_valid(int r, int c) const override { return get_bits(top_->v_valid_q, p(r, c), 1); }
  uint64_t stat(int r, int c) const override { return get_bits(top_->stat_q, p(r, c) * dw_, dw_); }
  bool h_mark(int r, int c) const override { return get_bits(top_->h_mark_q, p(r, c), 1); }
  uint64_t shadow(int r, int c) const override { return get_bits(top_->shadow_q, p(r, c) * dw_, dw_); }
  uint64_t drain(int r, int c) const override { return get_bits(top_->drain_q, p(r, c) * acc_, acc_); }
  bool drain_valid(int r, int c) const override { return get_bits(top_->drain_valid_q, p(r, c), 1); }

 private:
  int p(int r, int c) const { return r * cols_ + c; }
  std::unique_ptr<V> top_;
  int rows_, cols_, dw_, acc_;
};

}  // namespace cosim
