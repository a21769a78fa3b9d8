// Names shared by the architecture and the workload: operator types, dataflows, overflow behaviour.
#pragma once

#include <string>

namespace cosim {

// The arithmetic a PE performs for one weight-activation pair.
enum class OpType {
  Mult,   // acc += x * w
  Shift,  // acc += ±(x << frac) >> p   (DeepShift: w = ±2^-p)
  Adder,  // acc -= |x - w|              (AdderNet)
};

enum class Dataflow { OutputStationary, WeightStationary, InputStationary };

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

inline Dataflow dataflow_from_string(const std::string& s) {
  if (s == "weight_stationary") return Dataflow::WeightStationary;
  if (s == "input_stationary") return Dataflow::InputStationary;
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
