// Random operands for the level-1 PE-array tests (fold by fold and pipelined tiles).
#pragma once

#include <cstdint>
#include <random>

#include "sim/pe_array/pe_arith.hpp"
#include "sim/pe_array/systolic_array.hpp"
#include "spec/op_types.hpp"

namespace cosim::test {

// Formats with a narrow accumulator, so that wrap and saturation actually happen in random folds.
inline PeFormat narrow_format(OpType op, Overflow o) {
  PeFormat f;
  f.overflow = o;
  if (op == OpType::Shift) {
    f.act_bits = 16, f.weight_bits = 6, f.frac_bits = 4;
    f.acc_bits = 20;  // = act + frac: two large terms already overflow
  } else {
    f.act_bits = 8, f.weight_bits = 8, f.acc_bits = op == OpType::Mult ? 16 : 12;
  }
  return f;
}

// An m x k by k x n fold of operands drawn uniformly from the format's ranges.
inline FoldInput random_fold(std::mt19937_64& rng, OpType op, const PeFormat& f, int64_t m, int64_t k,
                             int64_t n) {
  FoldInput fold;
  fold.m = m, fold.k = k, fold.n = n;
  std::uniform_int_distribution<int64_t> act(act_min(f), act_max(f)),
      wt(weight_min(op, f), weight_max(op, f));
  for (int64_t i = 0; i < m * k; ++i) fold.a.push_back(act(rng));
  for (int64_t i = 0; i < k * n; ++i) fold.w.push_back(wt(rng));
  return fold;
}

}  // namespace cosim::test
