// Closed-form cycles of the PE array (docs/pe-array.md). A fold is one pass of the array: the part of a GEMM
// tile whose spatial dimensions fit the rows and columns. These formulas are what the accelerator-level model
// charges for compute; tests/pe_array proves them equal to the clocked model.
#pragma once

#include <cstdint>

#include "model/integer_math.hpp"
#include "spec/op_types.hpp"

namespace cosim {

// Which GEMM dimensions a dataflow places on the array's rows and columns, and which one streams in time.
//   output-stationary: rows <- m, cols <- n, streams k
//   weight-stationary: rows <- k, cols <- n, streams m
//   input-stationary:  rows <- k, cols <- m, streams n
struct SpatialMap {
  int64_t rows_dim, cols_dim, stream_dim;
};

inline SpatialMap spatial_map(Dataflow d, int64_t m, int64_t k, int64_t n) {
  switch (d) {
    case Dataflow::OutputStationary:
      return {m, n, k};
    case Dataflow::WeightStationary:
      return {k, n, m};
    case Dataflow::InputStationary:
      return {k, m, n};
  }
  return {m, n, k};
}

inline bool fold_fits(Dataflow d, int rows, int cols, int64_t m, int64_t k, int64_t n) {
  SpatialMap s = spatial_map(d, m, k, n);
  return m >= 1 && k >= 1 && n >= 1 && s.rows_dim <= rows && s.cols_dim <= cols;
}

// Cycles of one fold. OS: skewed streaming of k (k + m + n - 2) then m cycles to read the accumulators out.
// WS/IS: r cycles to preload the stationary operand, then the stream (r + s + c - 2) through the skewed
// array.
inline uint64_t fold_cycles(Dataflow d, int64_t m, int64_t k, int64_t n) {
  switch (d) {
    case Dataflow::OutputStationary:
      return uint64_t(k + 2 * m + n - 2);
    case Dataflow::WeightStationary:
      return uint64_t(2 * k + m + n - 2);
    case Dataflow::InputStationary:
      return uint64_t(2 * k + m + n - 2);
  }
  return 0;
}

// Cycles of an m x k x n tile run fold after fold on a rows x cols array (folds do not overlap).
// Sum over folds of fold_cycles, in closed form: the spatial dims split into full folds and one ragged fold.
inline uint64_t tile_cycles(Dataflow d, int rows, int cols, int64_t m, int64_t k, int64_t n) {
  SpatialMap s = spatial_map(d, m, k, n);
  const int64_t fr = ceil_div(s.rows_dim, rows), fc = ceil_div(s.cols_dim, cols);
  // All three are sum over folds of (stream + 2 * rows_i + cols_j - 2):
  //   = fr*fc*(stream - 2) + 2*fc*rows_dim + fr*cols_dim.
  return uint64_t(fr * fc * (s.stream_dim - 2) + 2 * fc * s.rows_dim + fr * s.cols_dim);
}

inline uint64_t tile_folds(Dataflow d, int rows, int cols, int64_t m, int64_t k, int64_t n) {
  SpatialMap s = spatial_map(d, m, k, n);
  return uint64_t(ceil_div(s.rows_dim, rows) * ceil_div(s.cols_dim, cols));
}

}  // namespace cosim
