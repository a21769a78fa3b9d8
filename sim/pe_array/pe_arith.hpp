// The arithmetic of one PE, bit-exact: what a multiplier, shift or adder PE adds to its accumulator for one
// (activation, weight) pair, and how the accumulator wraps or saturates at its width. The RTL in rtl/ is
// written from the same rules (docs/pe-array.md), not from this code.
#pragma once

#include <cstdint>
#include <cstdlib>

#include "spec/op_types.hpp"

namespace cosim {

// Brings v into the two's-complement range of `bits`: wrap (drop high bits) or clamp.
inline int64_t reduce_to_width(int64_t v, int bits, Overflow mode) {
  const int64_t hi = (int64_t(1) << (bits - 1)) - 1;
  const int64_t lo = -(int64_t(1) << (bits - 1));
  if (mode == Overflow::Saturate) return v > hi ? hi : (v < lo ? lo : v);
  const uint64_t mask = bits >= 64 ? ~uint64_t(0) : (uint64_t(1) << bits) - 1;
  uint64_t u = static_cast<uint64_t>(v) & mask;
  if (u & (uint64_t(1) << (bits - 1))) u |= ~mask;
  return static_cast<int64_t>(u);
}

// The value one PE adds to its accumulator. x is the activation, w the weight (for shift PEs, w holds the raw
// encoding: bit (weight_bits-1) is the sign, the low bits are the exponent magnitude s, weight = ±2^-s).
template <OpType Op>
inline int64_t pe_term(int64_t x, int64_t w, const PeFormat& f) {
  if constexpr (Op == OpType::Mult) {
    return x * w;
  } else if constexpr (Op == OpType::Shift) {
    const int64_t sign_bit = int64_t(1) << (f.weight_bits - 1);
    const int64_t s = w & (sign_bit - 1) & 63;  // weight_bits <= 7, so s <= 63
    // Arithmetic right shift (rounds toward -inf), after widening by the fractional bits.
    const int64_t scaled = (x * (int64_t(1) << f.frac_bits)) >> s;
    // Negate without a branch (random signs would mispredict): neg is 0 or -1.
    const int64_t neg = -((w >> (f.weight_bits - 1)) & 1);
    return (scaled ^ neg) - neg;
  } else {
    const int64_t d = x - w;
    return -(d < 0 ? -d : d);
  }
}

template <OpType Op>
inline int64_t pe_accumulate(int64_t acc, int64_t x, int64_t w, const PeFormat& f) {
  return reduce_to_width(acc + pe_term<Op>(x, w, f), f.acc_bits, f.overflow);
}

// The same with the overflow mode fixed at compile time, for the PE array's inner loop: wrapping is a shift
// pair (sign extension from bit acc_bits - 1), saturation a clamp.
template <Overflow Ov>
inline int64_t reduce_fixed(int64_t v, int bits) {
  if constexpr (Ov == Overflow::Wrap) {
    const int drop = 64 - bits;
    return static_cast<int64_t>(static_cast<uint64_t>(v) << drop) >> drop;
  } else {
    const int64_t hi = (int64_t(1) << (bits - 1)) - 1, lo = -hi - 1;
    return v > hi ? hi : (v < lo ? lo : v);
  }
}

// Range of legal operand values for a PE format (used by stimulus generators and input checks).
inline int64_t act_min(const PeFormat& f) {
  return -(int64_t(1) << (f.act_bits - 1));
}
inline int64_t act_max(const PeFormat& f) {
  return (int64_t(1) << (f.act_bits - 1)) - 1;
}
inline int64_t weight_min(OpType op, const PeFormat& f) {
  return op == OpType::Shift ? 0 : -(int64_t(1) << (f.weight_bits - 1));
}
inline int64_t weight_max(OpType op, const PeFormat& f) {
  return op == OpType::Shift ? (int64_t(1) << f.weight_bits) - 1 : (int64_t(1) << (f.weight_bits - 1)) - 1;
}

}  // namespace cosim
