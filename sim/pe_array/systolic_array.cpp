#include "sim/pe_array/systolic_array.hpp"

#include <algorithm>
#include <stdexcept>

#include "model/fold_timing.hpp"
#include "sim/pe_array/pe_arith.hpp"

namespace cosim {

SystolicArray::SystolicArray(OpType op, int rows, int cols, const PeFormat& format)
    : op_(op), rows_(rows), cols_(cols), format_(format) {
  const size_t n = size_t(rows) * size_t(cols);
  h_.assign(n, 0);
  v_.assign(n, 0);
  stat_.assign(n, 0);
  sum_.assign(n, 0);
  h_valid_.assign(n, 0);
  v_valid_.assign(n, 0);
  sum_valid_.assign(n, 0);
}

FoldInput transposed_product(const FoldInput& fold) {
  FoldInput t;
  t.m = fold.n, t.k = fold.k, t.n = fold.m;
  t.a.resize(size_t(t.m * t.k));
  t.w.resize(size_t(t.k * t.n));
  for (int64_t i = 0; i < fold.n; ++i)
    for (int64_t j = 0; j < fold.k; ++j) t.a[size_t(i * t.k + j)] = fold.w[size_t(j * fold.n + i)];
  for (int64_t i = 0; i < fold.k; ++i)
    for (int64_t j = 0; j < fold.m; ++j) t.w[size_t(i * t.n + j)] = fold.a[size_t(j * fold.k + i)];
  return t;
}

void SystolicArray::start(Dataflow d, const FoldInput& fold) {
  if (!fold_fits(d, rows_, cols_, fold.m, fold.k, fold.n) || fold.a.size() != size_t(fold.m * fold.k) ||
      fold.w.size() != size_t(fold.k * fold.n)) {
    throw std::invalid_argument("fold does not fit the array or operands have the wrong size");
  }
  transpose_out_ = d == Dataflow::OutputStationaryTransposed;
  if (transpose_out_) {
    start(Dataflow::OutputStationary, transposed_product(fold));
    transpose_out_ = true;
    return;
  }
  dataflow_ = d;
  fold_ = fold;
  SpatialMap s = spatial_map(d, fold.m, fold.k, fold.n);
  used_rows_ = s.rows_dim;
  used_cols_ = s.cols_dim;
  stream_ = s.stream_dim;
  edge_ = 0;
  collected_ = 0;
  std::fill(h_.begin(), h_.end(), 0);
  std::fill(v_.begin(), v_.end(), 0);
  std::fill(stat_.begin(), stat_.end(), 0);
  std::fill(sum_.begin(), sum_.end(), 0);
  std::fill(h_valid_.begin(), h_valid_.end(), 0);
  std::fill(v_valid_.begin(), v_valid_.end(), 0);
  std::fill(sum_valid_.begin(), sum_valid_.end(), 0);
  out_.assign(size_t(fold.m * fold.n), 0);
}

bool SystolicArray::step() {
  if (done()) return false;
  if (dataflow_ != Dataflow::OutputStationary && edge_ < uint64_t(used_rows_)) {
    step_preload();
  } else {
    switch (op_) {
      case OpType::Mult:
        dispatch<OpType::Mult>();
        break;
      case OpType::Shift:
        dispatch<OpType::Shift>();
        break;
      case OpType::Adder:
        dispatch<OpType::Adder>();
        break;
    }
  }
  ++edge_;
  if (transpose_out_ && done()) {  // out_ holds out^T (fold_ is the transposed product): turn it back
    std::vector<int64_t> out(out_.size());
    for (int64_t i = 0; i < fold_.m; ++i)
      for (int64_t j = 0; j < fold_.n; ++j) out[size_t(j * fold_.m + i)] = out_[size_t(i * fold_.n + j)];
    out_ = std::move(out);
    transpose_out_ = false;
  }
  return !done();
}

template <OpType Op>
void SystolicArray::dispatch() {
  const bool os = dataflow_ == Dataflow::OutputStationary;
  if (format_.overflow == Overflow::Wrap) {
    os ? step_os<Op, Overflow::Wrap>() : step_stationary<Op, Overflow::Wrap>();
  } else {
    os ? step_os<Op, Overflow::Saturate>() : step_stationary<Op, Overflow::Saturate>();
  }
}

// Output-stationary: a[i][k] enters row i at edge k + i, w[k][j] enters column j at edge k + j, so PE (i, j)
// accumulates pair k at edge k + i + j. After the last pair (edge k + m + n - 3) the accumulators are read
// out one row per edge, bottom row first, by shifting them down the active rows.
template <OpType Op, Overflow Ov>
void SystolicArray::step_os() {
  const int64_t M = fold_.m, K = fold_.k, N = fold_.n;
  const int64_t t = int64_t(edge_);
  const int64_t compute_edges = K + M + N - 2;
  const size_t C = size_t(cols_);
  const int acc_bits = format_.acc_bits;
  const PeFormat f = format_;  // a local copy: the uint8_t stores below may alias members, locals they cannot
  if (t < compute_edges) {
    // PEs are visited bottom-right first, so each reads its left and upper neighbours' registers as they were
    // before this edge.
    for (int64_t i = M - 1; i >= 0; --i) {
      int64_t* h = &h_[size_t(i) * C];
      uint8_t* hv = &h_valid_[size_t(i) * C];
      int64_t* v = &v_[size_t(i) * C];
      uint8_t* vv = &v_valid_[size_t(i) * C];
      int64_t* acc = &sum_[size_t(i) * C];
      const int64_t* v_up = i > 0 ? v - C : nullptr;
      const uint8_t* vv_up = i > 0 ? vv - C : nullptr;
      for (int64_t j = N - 1; j >= 0; --j) {
        int64_t a, w;
        uint8_t av, wv;
        if (j > 0) {
          a = h[j - 1];
          av = hv[j - 1];
        } else {
          const int64_t k = t - i;
          av = k >= 0 && k < K;
          a = av ? fold_.a[size_t(i * K + k)] : 0;
        }
        if (v_up) {
          w = v_up[j];
          wv = vv_up[j];
        } else {
          const int64_t k = t - j;
          wv = k >= 0 && k < K;
          w = wv ? fold_.w[size_t(k * N + j)] : 0;
        }
        if (av & wv) acc[j] = reduce_fixed<Ov>(acc[j] + pe_term<Op>(a, w, f), acc_bits);
        h[j] = a;
        hv[j] = av;
        v[j] = w;
        vv[j] = wv;
      }
    }
    return;
  }
  const int64_t row = M - 1 - (t - compute_edges);
  for (int64_t j = 0; j < N; ++j) {
    out_[size_t(row * N + j)] = sum_[idx(int(M - 1), int(j))];
    for (int64_t i = M - 1; i >= 1; --i) sum_[idx(int(i), int(j))] = sum_[idx(int(i - 1), int(j))];
    sum_[idx(0, int(j))] = 0;
  }
  collected_ += size_t(N);
}

// WS/IS preload: the stationary operand shifts down the active rows, one row per edge; after `rows` edges
// PE (r, c) holds element r of column c (WS: w[r][c]; IS: a[c][r]).
void SystolicArray::step_preload() {
  const int64_t R = used_rows_, C = used_cols_;
  const int64_t t = int64_t(edge_);
  for (int64_t i = R - 1; i >= 0; --i) {
    for (int64_t j = 0; j < C; ++j) {
      const size_t p = idx(int(i), int(j));
      if (i > 0) {
        stat_[p] = stat_[p - size_t(cols_)];
      } else {
        const int64_t r = R - 1 - t;
        stat_[p] = dataflow_ == Dataflow::WeightStationary ? fold_.w[size_t(r * fold_.n + j)]
                                                           : fold_.a[size_t(j * fold_.k + r)];
      }
    }
  }
}

// WS/IS stream: element s of row r's stream enters row r at edge rows + s + r and moves right one PE per
// edge; partial sums move down one PE per edge and leave the bottom active row as outputs.
template <OpType Op, Overflow Ov>
void SystolicArray::step_stationary() {
  const int acc_bits = format_.acc_bits;
  const PeFormat f = format_;
  const int64_t R = used_rows_, C = used_cols_, S = stream_;
  const int64_t s = int64_t(edge_) - R;
  const bool ws = dataflow_ == Dataflow::WeightStationary;
  for (int64_t i = R - 1; i >= 0; --i) {
    for (int64_t j = C - 1; j >= 0; --j) {
      const size_t p = idx(int(i), int(j));
      int64_t x;
      uint8_t xv;
      if (j == 0) {
        const int64_t e = s - i;
        xv = e >= 0 && e < S;
        // WS streams activations a[e][i]; IS streams weights w[i][e].
        x = xv ? (ws ? fold_.a[size_t(e * fold_.k + i)] : fold_.w[size_t(i * fold_.n + e)]) : 0;
      } else {
        x = h_[p - 1];
        xv = h_valid_[p - 1];
      }
      if (xv) {
        const int64_t psum_in = i == 0 ? 0 : sum_[p - size_t(cols_)];
        const int64_t term = ws ? pe_term<Op>(x, stat_[p], f) : pe_term<Op>(stat_[p], x, f);
        sum_[p] = reduce_fixed<Ov>(psum_in + term, acc_bits);
        sum_valid_[p] = 1;
      } else {
        sum_valid_[p] = 0;
      }
      h_[p] = x;
      h_valid_[p] = xv;
    }
  }
  for (int64_t j = 0; j < C; ++j) {
    const size_t p = idx(int(R - 1), int(j));
    if (!sum_valid_[p]) continue;
    const int64_t e = s - (R - 1) - j;
    if (ws) {
      out_[size_t(e * fold_.n + j)] = sum_[p];
    } else {
      out_[size_t(j * fold_.n + e)] = sum_[p];
    }
    ++collected_;
  }
}

}  // namespace cosim
