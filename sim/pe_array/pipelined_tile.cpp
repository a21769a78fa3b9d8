#include "sim/pe_array/pipelined_tile.hpp"

#include <algorithm>
#include <stdexcept>

#include "model/fold_timing.hpp"

namespace cosim {

namespace {
void check(const FoldInput& tile) {
  if (tile.m < 1 || tile.k < 1 || tile.n < 1 || tile.a.size() != size_t(tile.m * tile.k) ||
      tile.w.size() != size_t(tile.k * tile.n))
    throw std::invalid_argument("tile operands have the wrong size");
}
}  // namespace

PipelinedTile::PipelinedTile(Dataflow d, int rows, int cols, const FoldInput& tile, int64_t early_fold)
    : dataflow_(d), rows_(rows), cols_(cols) {
  check(tile);
  split(tile, 0);
  schedule(early_fold, tile.k, tile.k);
}

PipelinedTile::PipelinedTile(Dataflow d, int rows, int cols, const std::vector<FoldInput>& tiles)
    : dataflow_(d), rows_(rows), cols_(cols) {
  if (tiles.empty()) throw std::invalid_argument("no tiles");
  int64_t k_min = INT64_MAX, k_max = 0;
  for (size_t t = 0; t < tiles.size(); ++t) {
    check(tiles[t]);
    split(tiles[t], t);
    k_min = std::min(k_min, tiles[t].k), k_max = std::max(k_max, tiles[t].k);
  }
  schedule(-1, k_min, k_max);
}

// Column folds outer, row folds inner; each fold gets a copy of its operands.
void PipelinedTile::split(const FoldInput& tile, size_t index) {
  const SpatialMap s = spatial_map(dataflow_, tile.m, tile.k, tile.n);
  for (int64_t c0 = 0; c0 < s.cols_dim; c0 += cols_) {
    for (int64_t r0 = 0; r0 < s.rows_dim; r0 += rows_) {
      PipelinedFold f;
      f.tile = index;
      f.stream = s.stream_dim;
      f.row0 = r0, f.col0 = c0;
      f.rows = std::min<int64_t>(rows_, s.rows_dim - r0);
      f.cols = std::min<int64_t>(cols_, s.cols_dim - c0);
      int64_t m0 = 0, k0 = 0, n0 = 0, m = tile.m, k = tile.k, n = tile.n;
      if (dataflow_ == Dataflow::OutputStationary)
        m0 = r0, m = f.rows, n0 = c0, n = f.cols;
      else if (dataflow_ == Dataflow::WeightStationary)
        k0 = r0, k = f.rows, n0 = c0, n = f.cols;
      else
        k0 = r0, k = f.rows, m0 = c0, m = f.cols;
      f.input.m = m, f.input.k = k, f.input.n = n;
      for (int64_t i = 0; i < m; ++i)
        for (int64_t j = 0; j < k; ++j) f.input.a.push_back(tile.a[size_t((m0 + i) * tile.k + k0 + j)]);
      for (int64_t i = 0; i < k; ++i)
        for (int64_t j = 0; j < n; ++j) f.input.w.push_back(tile.w[size_t((k0 + i) * tile.n + n0 + j)]);
      f.out.assign(size_t(m * n), 0);
      folds_.push_back(std::move(f));
    }
  }
}

void PipelinedTile::schedule(int64_t early_fold, int64_t k_min, int64_t k_max) {
  folds_[0].preload = 0;
  folds_[0].start = pipelined_first_start(dataflow_, folds_[0].rows);
  for (size_t f = 1; f < folds_.size(); ++f) {
    const PipelinedFold& prev = folds_[f - 1];
    folds_[f].preload = prev.start + prev.rows - 1;
    const int64_t gap = prev.tile == folds_[f].tile
                            ? pipelined_gap(dataflow_, prev.stream, prev.rows, folds_[f].rows)
                            : pipelined_boundary_gap(dataflow_, rows_, prev.stream, prev.rows, k_min, k_max);
    folds_[f].start = prev.start + gap;
    if (int64_t(f) == early_fold) --folds_[f].start;
  }
  // A fold with fewer columns can finish before an earlier, wider one: the run ends with the latest.
  edges_ = 0;
  for (const PipelinedFold& f : folds_)
    edges_ = std::max(edges_, uint64_t(f.start + pipelined_tail(dataflow_, f.stream, f.rows, f.cols)));
}

// WS/IS: the edge after which the first result leaves row rows - 1 of column `col`; OS: the edge after which
// row 0's result reaches the port (row i's follows 2i edges later).
int64_t PipelinedTile::tap_start(const PipelinedFold& f, int64_t col) const {
  if (dataflow_ == Dataflow::OutputStationary) return f.start + f.stream - 1 + col;
  return f.start + f.rows - 1 + col;
}

// The last fold whose results have started leaving column `col` by `edge` (fold 0 before any has).
size_t PipelinedTile::tap_fold(uint64_t edge, int64_t col) const {
  size_t f = 0;
  while (f + 1 < folds_.size() && tap_start(folds_[f + 1], col) <= int64_t(edge)) ++f;
  return f;
}

void PipelinedTile::stream_inputs(const PipelinedFold& f, int64_t x, EdgeInputs& in) const {
  const FoldInput& o = f.input;
  if (dataflow_ == Dataflow::OutputStationary) {
    for (int64_t i = 0; i < f.rows; ++i) {
      const int64_t e = x - f.start - i;
      if (e < 0 || e >= f.stream) continue;
      in.h[size_t(i)] = o.a[size_t(i * o.k + e)];
      in.h_valid[size_t(i)] = 1;
      in.h_mark[size_t(i)] = e == f.stream - 1;
    }
    for (int64_t j = 0; j < f.cols; ++j) {
      const int64_t e = x - f.start - j;
      if (e >= 0 && e < f.stream) in.v[size_t(j)] = o.w[size_t(e * o.n + j)], in.v_valid[size_t(j)] = 1;
    }
    return;
  }
  const bool ws = dataflow_ == Dataflow::WeightStationary;
  for (int64_t j = 0; j < f.cols; ++j) {  // preload: stationary row rows-1-t enters column j at P + j + t
    const int64_t t = x - f.preload - j;
    if (t < 0 || t >= f.rows) continue;
    const int64_t r = f.rows - 1 - t;
    in.v[size_t(j)] = ws ? o.w[size_t(r * o.n + j)] : o.a[size_t(j * o.k + r)];
    in.v_valid[size_t(j)] = 1;
  }
  for (int64_t i = 0; i < f.rows; ++i) {
    const int64_t e = x - f.start - i;
    if (e < 0 || e >= f.stream) continue;
    in.h[size_t(i)] = ws ? o.a[size_t(e * o.k + i)] : o.w[size_t(i * o.n + e)];
    in.h_valid[size_t(i)] = 1;
    in.h_mark[size_t(i)] = e == 0;
  }
}

void PipelinedTile::inputs(uint64_t edge, EdgeInputs& in) const {
  in.clear();
  const int64_t x = int64_t(edge);
  // A fold drives inputs from its preload (WS/IS) or stream start until its stream ends; folds are in order,
  // so a later fold's inputs overwrite an earlier one's only when the schedule lets them collide.
  for (const PipelinedFold& f : folds_) {
    const int64_t first = dataflow_ == Dataflow::OutputStationary ? f.start : f.preload;
    const int64_t last = f.start + f.stream + std::max(f.rows, f.cols);
    if (x < first || x > last) continue;
    stream_inputs(f, x, in);
  }
  for (int64_t j = 0; j < cols_; ++j) in.tap[size_t(j)] = int(folds_[tap_fold(edge, j)].rows - 1);
}

std::string PipelinedTile::collect(uint64_t edge, const std::function<bool(int)>& valid,
                                   const std::function<int64_t(int)>& value) {
  const int64_t x = int64_t(edge);
  for (int64_t j = 0; j < cols_; ++j) {
    PipelinedFold& f = folds_[tap_fold(edge, j)];
    if (j >= f.cols) continue;
    const int64_t e = x - tap_start(f, j);
    const bool os = dataflow_ == Dataflow::OutputStationary;
    // OS: row e / 2 reaches the port after edge tap_start + e (e even); WS/IS: element e leaves the tap row.
    if (e < 0 || e >= (os ? 2 * f.rows - 1 : f.stream) || (os && e % 2 != 0)) continue;
    if (!valid(int(j)))
      return "edge " + std::to_string(edge) + ": column " + std::to_string(j) + " has no valid result";
    const int64_t n = f.input.n;
    size_t at;
    if (os)
      at = size_t((e / 2) * n + j);
    else if (dataflow_ == Dataflow::WeightStationary)
      at = size_t(e * n + j);  // out[m = e][n = j]
    else
      at = size_t(j * n + e);  // out[m = j][n = e]
    f.out[at] = value(int(j));
    ++f.collected;
  }
  return {};
}

PipelinedTileModel::PipelinedTileModel(OpType op, int rows, int cols, const PeFormat& format)
    : array_(op, rows, cols, format), run_(Dataflow::WeightStationary, rows, cols, [] {
        FoldInput one;
        one.m = one.k = one.n = 1;
        one.a = {0};
        one.w = {0};
        return one;
      }()) {
  in_.resize(rows, cols);
  edge_ = run_.edges();
}

void PipelinedTileModel::start(Dataflow d, const FoldInput& tile, int64_t early_fold) {
  if (d == Dataflow::OutputStationaryTransposed) {
    start(Dataflow::OutputStationary, transposed_product(tile), early_fold);
    return;
  }
  run_ = PipelinedTile(d, array_.rows(), array_.cols(), tile, early_fold);
  array_.reset(d);
  errors_.clear();
  edge_ = 0;
}

void PipelinedTileModel::start(Dataflow d, const std::vector<FoldInput>& tiles) {
  if (d == Dataflow::OutputStationaryTransposed) {
    std::vector<FoldInput> t;
    for (const FoldInput& x : tiles) t.push_back(transposed_product(x));
    start(Dataflow::OutputStationary, t);
    return;
  }
  run_ = PipelinedTile(d, array_.rows(), array_.cols(), tiles);
  array_.reset(d);
  errors_.clear();
  edge_ = 0;
}

bool PipelinedTileModel::step() {
  if (done()) return false;
  run_.inputs(edge_, in_);
  array_.step(in_);
  const std::string error = run_.collect(
      edge_, [&](int j) { return array_.port_valid(j, in_); }, [&](int j) { return array_.port(j, in_); });
  if (!error.empty()) errors_.push_back(error);
  ++edge_;
  return !done();
}

}  // namespace cosim
