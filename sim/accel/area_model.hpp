// Area of a PE from the technology table (the arithmetic a PE op needs, as in EnergyModel::pe_op_pJ):
//   mult:  int multiplier at max(act, weight) bits + accumulator-width adder
//   shift: shifter at (act + frac) bits + accumulator-width adder
//   adder: subtractor + absolute value (an adder) at max(act, weight) bits + accumulator-width adder
// Registers and muxes are not in the table; rtl/area/pe_area_check compares these figures with yosys cell
// counts of the RTL's arithmetic (docs/rtl.md).
#pragma once

#include <algorithm>

#include "spec/op_types.hpp"
#include "spec/technology.hpp"

namespace cosim {

inline double pe_area_um2(const Technology& t, OpType op, const PeFormat& f) {
  const int operand = std::max(f.act_bits, f.weight_bits);
  switch (op) {
    case OpType::Mult:
      return t.int_mult_um2(operand) + t.int_add_um2(f.acc_bits);
    case OpType::Shift:
      return t.shift_um2(f.act_bits + f.frac_bits) + t.int_add_um2(f.acc_bits);
    case OpType::Adder:
      return 2 * t.int_add_um2(operand) + t.int_add_um2(f.acc_bits);
  }
  return 0;
}

}  // namespace cosim
