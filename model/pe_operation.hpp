// The arithmetic of one PE operation: what both its energy (model/energy_model.hpp) and its area
// (model/area_model.hpp) are computed from, so the two can never decompose an operation differently.
//   mult:  int multiply at max(act, weight) bits + accumulator-width add
//   shift: barrel shift of (act + frac) bits + accumulator-width add
//   adder: subtract + absolute value (a conditional negate, costed as an add) at max(act, weight) bits
//          + accumulator-width add
#pragma once

#include <algorithm>
#include <array>

#include "spec/op_types.hpp"
#include "spec/technology.hpp"

namespace cosim {

struct ArithOp {
  enum class Kind { Add, Mult, Shift };  // the order of sum_parts' tables
  Kind kind = Kind::Add;
  int bits = 0;
};

struct PeOperation {
  std::array<ArithOp, 3> parts{};
  int count = 0;
  void add(ArithOp::Kind k, int bits) { parts[size_t(count++)] = {k, bits}; }
};

inline PeOperation pe_operation(OpType op, const PeFormat& f) {
  const int operand = std::max(f.act_bits, f.weight_bits);
  PeOperation p;
  switch (op) {
    case OpType::Mult:
      p.add(ArithOp::Kind::Mult, operand);
      break;
    case OpType::Shift:
      p.add(ArithOp::Kind::Shift, f.act_bits + f.frac_bits);
      break;
    case OpType::Adder:
      p.add(ArithOp::Kind::Add, operand);  // subtract
      p.add(ArithOp::Kind::Add, operand);  // absolute value
      break;
  }
  p.add(ArithOp::Kind::Add, f.acc_bits);  // accumulate
  return p;
}

// The cost of each part from the technology table, by kind (Add, Mult, Shift): energies or areas.
using PartCost = double (Technology::*)(int bits) const;
inline double sum_parts(const Technology& t, const PeOperation& p, const PartCost (&cost)[3]) {
  double sum = 0;
  for (int i = 0; i < p.count; ++i) sum += (t.*cost[int(p.parts[size_t(i)].kind)])(p.parts[size_t(i)].bits);
  return sum;
}

inline double energy_pJ(const Technology& t, const PeOperation& p) {
  static constexpr PartCost kEnergy[3] = {&Technology::int_add_pJ, &Technology::int_mult_pJ,
                                          &Technology::shift_pJ};
  return sum_parts(t, p, kEnergy);
}

inline double area_um2(const Technology& t, const PeOperation& p) {
  static constexpr PartCost kArea[3] = {&Technology::int_add_um2, &Technology::int_mult_um2,
                                        &Technology::shift_um2};
  return sum_parts(t, p, kArea);
}

}  // namespace cosim
