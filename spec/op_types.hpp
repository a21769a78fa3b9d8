// Names shared by the architecture and the workload: operator types, dataflows, overflow behaviour.
#pragma once

#include <string>
#include <vector>

namespace cosim {

// The arithmetic a PE performs for one weight-activation pair.
enum class OpType {
  Mult,   // acc += x * w
  Shift,  // acc += ±(x << frac) >> p   (DeepShift: w = ±2^-p)
  Adder,  // acc -= |x - w|              (AdderNet)
};
inline constexpr OpType kOpTypes[] = {OpType::Mult, OpType::Shift, OpType::Adder};  // in enum order

// Which operand stays in the PEs (docs/pe-array.md). OutputStationaryTransposed is output-stationary with the
// operands' edges swapped: the array computes the transposed product (n on the rows, m on the columns), which
// needs an array whose edge feeders take either buffer and a PE whose operation commutes
// (spec/arch_spec.cpp).
enum class Dataflow { OutputStationary, WeightStationary, InputStationary, OutputStationaryTransposed };

inline bool output_stationary(Dataflow d) {
  return d == Dataflow::OutputStationary || d == Dataflow::OutputStationaryTransposed;
}

enum class Overflow { Wrap, Saturate };

inline const char* to_string(OpType op) {
  switch (op) {
    case OpType::Mult:
      return "mult";
    case OpType::Shift:
      return "shift";
    case OpType::Adder:
      return "adder";
  }
  return "?";
}

inline const char* to_string(Dataflow d) {
  switch (d) {
    case Dataflow::OutputStationary:
      return "output_stationary";
    case Dataflow::WeightStationary:
      return "weight_stationary";
    case Dataflow::InputStationary:
      return "input_stationary";
    case Dataflow::OutputStationaryTransposed:
      return "output_stationary_transposed";
  }
  return "?";
}

inline const char* short_name(Dataflow d) {
  switch (d) {
    case Dataflow::OutputStationary:
      return "OS";
    case Dataflow::WeightStationary:
      return "WS";
    case Dataflow::InputStationary:
      return "IS";
    case Dataflow::OutputStationaryTransposed:
      return "OST";
  }
  return "?";
}

inline const char* to_string(Overflow o) {
  return o == Overflow::Wrap ? "wrap" : "saturate";
}

inline OpType op_from_string(const std::string& s) {
  if (s == "shift") return OpType::Shift;
  if (s == "adder") return OpType::Adder;
  return OpType::Mult;
}

// Every dataflow's name, for reading files.
inline const std::vector<std::string>& dataflow_names() {
  static const std::vector<std::string> names = {"output_stationary", "weight_stationary", "input_stationary",
                                                 "output_stationary_transposed"};
  return names;
}

inline Dataflow dataflow_from_string(const std::string& s) {
  if (s == "weight_stationary") return Dataflow::WeightStationary;
  if (s == "input_stationary") return Dataflow::InputStationary;
  if (s == "output_stationary_transposed") return Dataflow::OutputStationaryTransposed;
  return Dataflow::OutputStationary;
}

// Bit widths of one PE's operands and accumulator, and how the accumulator overflows.
struct PeFormat {
  int act_bits = 8;     // activation operand (two's complement)
  int weight_bits = 8;  // weight operand; for shift PEs: 1 sign bit + exponent magnitude bits
  int acc_bits = 32;    // accumulator (two's complement)
  Overflow overflow = Overflow::Wrap;
  int frac_bits = 0;  // shift PEs only: fractional bits the accumulator keeps below the activation's LSB
};

}  // namespace cosim
