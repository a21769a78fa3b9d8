// Closed-form cycles of the PE array (docs/pe-array.md). A fold is one pass of the array: the part of a GEMM
// tile whose spatial dimensions fit the rows and columns. These formulas are what the accelerator-level model
// charges for compute; tests/pe_array proves them equal to the clocked model.
#pragma once

#include <algorithm>
#include <cstdint>

#include "model/integer_math.hpp"
#include "spec/op_types.hpp"

namespace cosim {

// Which GEMM dimensions a dataflow places on the array's rows and columns, and which one streams in time.
//   output-stationary: rows <- m, cols <- n, streams k
//   weight-stationary: rows <- k, cols <- n, streams m
//   input-stationary:  rows <- k, cols <- m, streams n
//   output-stationary transposed: rows <- n, cols <- m, streams k (the array computes (A B)^T = B^T A^T: the
//     weights enter at the left edge, the activations at the top; everything else is output-stationary)
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
    case Dataflow::OutputStationaryTransposed:
      return {n, m, k};
  }
  return {m, n, k};
}

inline bool fold_fits(Dataflow d, int rows, int cols, int64_t m, int64_t k, int64_t n) {
  SpatialMap s = spatial_map(d, m, k, n);
  return m >= 1 && k >= 1 && n >= 1 && s.rows_dim <= rows && s.cols_dim <= cols;
}

// Cycles of one fold, r x c PEs streaming t: OS: skewed streaming of k (t + r + c - 2), then r cycles to read
// the accumulators out. WS/IS: r cycles to preload the stationary operand, then the stream (r + t + c - 2)
// through the skewed array. Either way t + 2r + c - 2.
inline uint64_t fold_cycles(Dataflow d, int64_t m, int64_t k, int64_t n) {
  const SpatialMap s = spatial_map(d, m, k, n);
  return uint64_t(s.stream_dim + 2 * s.rows_dim + s.cols_dim - 2);
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

// The pipelined discipline (docs/pe-array.md, "With pipelining"). Folds run column folds outer, row folds
// inner; fold f uses R_f rows and streams T elements; S_f is the edge its stream starts.

// The edge fold 0's stream starts: WS/IS after its preload (R_0 edges), OS at once.
inline int64_t pipelined_first_start(Dataflow d, int64_t first_rows) {
  return output_stationary(d) ? 0 : first_rows;
}

// S_{f+1} - S_f for consecutive folds of r_f and r_next rows, the earliest the hazards allow.
//   WS/IS: one stream element per edge per row, and results leave a lower tap after the previous fold's
//          left a higher one; the next weights are in the shadows (preload from S_f + r_f - 1, r_next edges).
//   OS:    one stream element per edge per row, and the results of this fold, rising two rows per edge
//          relative to the next fold's (which start 2 rows per gap edge behind), never meet them: a gap of at
//          least 2 r_f - 1 edges.
inline int64_t pipelined_gap(Dataflow d, int64_t stream, int64_t r_f, int64_t r_next) {
  if (output_stationary(d)) return std::max(stream, 2 * r_f - 1);
  return std::max(stream + std::max<int64_t>(0, r_f - r_next), r_f - 1 + r_next);
}

// Edges from the last fold's stream start to its last result leaving the port, plus one (the cycle count).
inline int64_t pipelined_tail(Dataflow d, int64_t stream, int64_t r_last, int64_t c_last) {
  if (output_stationary(d)) return stream + 2 * r_last + c_last - 3;
  return stream + r_last + c_last - 2;
}

// The folds of a tile on a pipelined array and the start of its last fold. In the fold order the consecutive
// pairs are (full, full) fc*(fr-2) times, (full, ragged) fc times and (ragged, full) fc-1 times when there
// are fr >= 2 row folds, else (ragged, ragged) fc-1 times.
struct PipelinedFolds {
  int64_t stream, fr, fc, first_rows, r_last, c_last;
  int64_t first_start;  // S_0
  int64_t span;         // S increase from the last fold of one column fold to the last fold of the next
  int64_t last_start;   // S_{F-1}

  PipelinedFolds(Dataflow d, int rows, int cols, int64_t m, int64_t k, int64_t n) {
    const SpatialMap s = spatial_map(d, m, k, n);
    const int64_t R = rows, T = s.stream_dim;
    stream = T;
    fr = ceil_div(s.rows_dim, rows), fc = ceil_div(s.cols_dim, cols);
    r_last = s.rows_dim - (fr - 1) * rows, c_last = s.cols_dim - (fc - 1) * cols;
    first_rows = fr >= 2 ? R : r_last;
    first_start = pipelined_first_start(d, first_rows);
    span = fr >= 2 ? pipelined_gap(d, T, r_last, R) + (fr - 2) * pipelined_gap(d, T, R, R) +
                         pipelined_gap(d, T, R, r_last)
                   : pipelined_gap(d, T, r_last, r_last);
    const int64_t first_column_last =  // the start of the first column fold's last fold
        fr >= 2 ? first_start + (fr - 2) * pipelined_gap(d, T, R, R) + pipelined_gap(d, T, R, r_last)
                : first_start;
    last_start = first_column_last + (fc - 1) * span;
  }
};

// Cycles of an m x k x n tile on a rows x cols array whose folds pipeline: the S recurrence summed in closed
// form. The tile ends when the last fold's results have left, or the previous column fold's last one's if
// that is wider and finishes later (folds of equal width finish in order).
inline uint64_t pipelined_tile_cycles(Dataflow d, int rows, int cols, int64_t m, int64_t k, int64_t n) {
  const PipelinedFolds f(d, rows, cols, m, k, n);
  int64_t end = f.last_start + pipelined_tail(d, f.stream, f.r_last, f.c_last);
  if (f.fc >= 2) end = std::max(end, f.last_start - f.span + pipelined_tail(d, f.stream, f.r_last, cols));
  return uint64_t(end);
}

// Folds also pipeline from one tile of a layer to the next: the array starts the next tile's first fold as it
// would the next fold of the same tile, except that it does not know that fold's shape, only the range of the
// layer's tile k (k_min .. k_max), and leaves room for the worst:
//   WS/IS: the next first fold has min(rows, k) rows (results leave its tap after this fold's; its weights
//          preload in as many edges);
//   OS:    the next fold streams k elements; with a shorter stream its first PE finishes sooner after its
//   start,
//          and the finishing waves must still be 2 r_last - 1 edges apart.
inline int64_t pipelined_boundary_gap(Dataflow d, int rows, int64_t stream, int64_t r_last, int64_t k_min,
                                      int64_t k_max) {
  if (output_stationary(d)) return std::max(stream, 2 * r_last - 1 + std::max<int64_t>(0, stream - k_min));
  const int64_t next_min = std::min<int64_t>(rows, k_min), next_max = std::min<int64_t>(rows, k_max);
  return std::max(stream + std::max<int64_t>(0, r_last - next_min), r_last + next_max - 1);
}

// The cycles a tile holds the array before the next tile of the layer may start (its issue cycles); its
// results are complete pipelined_tile_cycles after its start.
inline uint64_t pipelined_tile_issue(Dataflow d, int rows, int cols, int64_t m, int64_t k, int64_t n,
                                     int64_t k_min, int64_t k_max) {
  const PipelinedFolds f(d, rows, cols, m, k, n);
  return uint64_t(f.last_start - f.first_start +
                  pipelined_boundary_gap(d, rows, f.stream, f.r_last, k_min, k_max));
}

// The cycles an array charges for a tile, by its discipline.
inline uint64_t tile_cycles(Dataflow d, int rows, int cols, int64_t m, int64_t k, int64_t n, bool pipelined) {
  return pipelined ? pipelined_tile_cycles(d, rows, cols, m, k, n) : tile_cycles(d, rows, cols, m, k, n);
}

// The cycles at the end of a tile during which the next tile of the layer may already run (its tile-cycles
// less its issue cycles): 0 without pipelining.
inline uint64_t tile_overlap(Dataflow d, int rows, int cols, int64_t m, int64_t k, int64_t n, bool pipelined,
                             int64_t k_min, int64_t k_max) {
  if (!pipelined) return 0;
  const uint64_t cycles = pipelined_tile_cycles(d, rows, cols, m, k, n);
  return cycles - std::min(cycles, pipelined_tile_issue(d, rows, cols, m, k, n, k_min, k_max));
}

inline uint64_t tile_folds(Dataflow d, int rows, int cols, int64_t m, int64_t k, int64_t n) {
  SpatialMap s = spatial_map(d, m, k, n);
  return uint64_t(ceil_div(s.rows_dim, rows) * ceil_div(s.cols_dim, cols));
}

}  // namespace cosim
