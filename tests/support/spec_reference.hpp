// Reference results for the level-1 models, computed with arithmetic of their own, written from the
// specifications (docs/pe-array.md, docs/sparse-attention.md) and sharing no code with the models they check:
// wrap is the residue modulo 2^acc in [-2^(acc-1), 2^(acc-1)), a shift is a floor division by a power of two
// done on 128-bit integers, the adder term is -|x - w| by cases. A model whose PE rounds, wraps or negates
// differently from the specification disagrees with these.
#pragma once

#include <algorithm>
#include <cstdint>
#include <vector>

#include "sim/pe_array/systolic_array.hpp"
#include "sim/sparse_attention/mac_line_group.hpp"
#include "spec/op_types.hpp"

namespace cosim::test {

using Int128 = __int128;

// The accumulator's value after an operation: `v` brought into `bits` bits as `overflow` says.
inline int64_t spec_accumulator(Int128 v, int bits, Overflow overflow) {
  const Int128 modulus = Int128(1) << bits, lowest = -(modulus / 2), highest = modulus / 2 - 1;
  if (overflow == Overflow::Saturate) return int64_t(std::clamp(v, lowest, highest));
  Int128 r = (v - lowest) % modulus;
  if (r < 0) r += modulus;
  return int64_t(r + lowest);
}

// floor(a / 2^s) for any sign of a.
inline Int128 spec_floor_div_pow2(Int128 a, int s) {
  const Int128 d = Int128(1) << s;
  Int128 q = a / d;  // rounds toward zero
  if (a % d != 0 && a < 0) q -= 1;
  return q;
}

// The term one PE adds for activation x and weight w (shift: w's top bit is the sign, the rest the exponent
// magnitude s of 2^-s).
inline Int128 spec_term(OpType op, int64_t x, int64_t w, const PeFormat& f) {
  switch (op) {
    case OpType::Mult:
      return Int128(x) * Int128(w);
    case OpType::Shift: {
      const int64_t magnitude_bits = f.weight_bits - 1;
      const bool negative = ((w >> magnitude_bits) & 1) != 0;
      const int s = int(w % (int64_t(1) << magnitude_bits));
      const Int128 widened = Int128(x) * (Int128(1) << f.frac_bits);
      const Int128 shifted = spec_floor_div_pow2(widened, s);
      return negative ? -shifted : shifted;
    }
    case OpType::Adder:
      return x >= w ? -(Int128(x) - Int128(w)) : -(Int128(w) - Int128(x));
  }
  return 0;
}

// out[m][n] = reduce over k, in increasing k, of term(a[m][k], w[k][n]), the accumulator reduced after each.
inline std::vector<int64_t> spec_fold(OpType op, const PeFormat& f, const FoldInput& fold) {
  std::vector<int64_t> out(size_t(fold.m * fold.n), 0);
  for (int64_t m = 0; m < fold.m; ++m) {
    for (int64_t n = 0; n < fold.n; ++n) {
      int64_t acc = 0;
      for (int64_t k = 0; k < fold.k; ++k) {
        const int64_t x = fold.a[size_t(m * fold.k + k)], w = fold.w[size_t(k * fold.n + n)];
        acc = spec_accumulator(Int128(acc) + spec_term(op, x, w, f), f.acc_bits, f.overflow);
      }
      out[size_t(m * fold.n + n)] = acc;
    }
  }
  return out;
}

// SDDMM on MAC lines: each kept entry is q_row . k_key; a beat adds the exact sum of up to `macs` products,
// and the line's accumulator is reduced after each beat.
inline std::vector<int64_t> spec_scores(const EnginePhase& p, const PeFormat& f, int macs) {
  std::vector<int64_t> out(p.scores, 0);
  const size_t d = size_t(p.head_dim);
  for (const EngineGroup& g : p.groups) {
    for (const auto& queue : g.lines) {
      for (const EngineEntry& e : queue) {
        int64_t acc = 0;
        for (size_t begin = 0; begin < d; begin += size_t(macs)) {
          Int128 beat = 0;
          for (size_t i = begin; i < std::min(d, begin + size_t(macs)); ++i)
            beat += Int128(p.q[size_t(e.row) * d + i]) * Int128(p.k[size_t(e.key) * d + i]);
          acc = spec_accumulator(Int128(acc) + beat, f.acc_bits, f.overflow);
        }
        out[size_t(e.id)] = acc;
      }
    }
  }
  return out;
}

// SpMM on MAC lines: a line sums a run of consecutive entries of one row (s_entry * v_key, reduced after each
// entry) in its row accumulators, then adds the run to the output row (reduced); runs are added in group
// order.
inline std::vector<int64_t> spec_axpy(const EnginePhase& p, const PeFormat& f) {
  const size_t d = size_t(p.head_dim);
  std::vector<int64_t> out(size_t(p.n) * d, 0);
  for (const EngineGroup& g : p.groups) {
    for (const auto& queue : g.lines) {
      std::vector<int64_t> run(d, 0);
      for (size_t i = 0; i < queue.size(); ++i) {
        const EngineEntry& e = queue[i];
        for (size_t c = 0; c < d; ++c) {
          const Int128 product = Int128(p.s[size_t(e.id)]) * Int128(p.k[size_t(e.key) * d + c]);
          run[c] = spec_accumulator(Int128(run[c]) + product, f.acc_bits, f.overflow);
        }
        if (i + 1 < queue.size() && queue[i + 1].row == e.row) continue;
        for (size_t c = 0; c < d; ++c) {
          int64_t& o = out[size_t(e.row) * d + c];
          o = spec_accumulator(Int128(o) + Int128(run[c]), f.acc_bits, f.overflow);
          run[c] = 0;
        }
      }
    }
  }
  return out;
}

}  // namespace cosim::test
