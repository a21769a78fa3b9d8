// Level 1, pipelined folds (docs/pe-array.md, "With pipelining"): the clocked model of the whole array,
// driven by its controller, runs random tiles for every PE type x dataflow x overflow mode. Each fold's
// results, read from the column ports at the edges the schedule names, equal reference arithmetic of the
// tests' own; the simulated cycles equal the closed form the mapper charges; and starting any one fold a
// single edge earlier than the schedule corrupts or loses a result, so every hazard rule in the schedule is
// needed.
#include <gtest/gtest.h>

#include <random>
#include <sstream>
#include <systemc>
#include <tuple>

#include "model/fold_timing.hpp"
#include "sim/pe_array/pe_arith.hpp"
#include "sim/pe_array/pe_array_module.hpp"
#include "support/random_folds.hpp"
#include "support/spec_reference.hpp"

namespace cosim {
namespace {

using Param = std::tuple<OpType, Dataflow, Overflow>;
using test::narrow_format;
using test::random_fold;

// Random operands whose every term is nonzero (mult: x*w <= -1, adder: -|x-w| <= -2, shift: +-x*2^(f-s) with
// s <= 3), whose sums stay far inside the narrowest accumulator, and whose consecutive k values differ (a
// stationary register that took its neighbour's value computes otherwise), so that a term lost, duplicated,
// given to the wrong fold or made with the wrong operand always shows in some result: the schedule-tightness
// runs.
FoldInput nonzero_tile(std::mt19937_64& rng, OpType op, int64_t m, int64_t k, int64_t n) {
  // values[]: the allowed operands; each next one along k is drawn from the values other than the previous.
  std::vector<int64_t> acts, weights;
  for (int64_t v = 1; v <= 16; ++v) acts.push_back(v);
  if (op == OpType::Shift) {
    for (int64_t s = 0; s < 4; ++s) weights.push_back(s), weights.push_back(32 + s);  // +-2^-s
  } else {
    for (int64_t v = 1; v <= 16; ++v) weights.push_back(-v);
  }
  std::uniform_int_distribution<size_t> first_a(0, acts.size() - 1), step_a(1, acts.size() - 1),
      first_w(0, weights.size() - 1), step_w(1, weights.size() - 1);
  FoldInput t;
  t.m = m, t.k = k, t.n = n;
  t.a.resize(size_t(m * k));
  t.w.resize(size_t(k * n));
  for (int64_t i = 0; i < m; ++i)
    for (size_t j = 0, v = first_a(rng); j < size_t(k); ++j, v = (v + step_a(rng)) % acts.size())
      t.a[size_t(i) * size_t(k) + j] = acts[v];
  for (int64_t j = 0; j < n; ++j)
    for (size_t i = 0, v = first_w(rng); i < size_t(k); ++i, v = (v + step_w(rng)) % weights.size())
      t.w[i * size_t(n) + size_t(j)] = weights[v];
  return t;
}

// Whether every fold's collected results equal the reference, with no port error.
bool run_correct(const PipelinedTileModel& m, OpType op, const PeFormat& f) {
  if (!m.errors().empty()) return false;
  for (const PipelinedFold& fold : m.tile().folds())
    if (fold.collected != fold.out.size() || fold.out != test::spec_fold(op, f, fold.input)) return false;
  return true;
}

struct PipelineBench : sc_core::sc_module {
  PipelinedArrayModule small, large;
  Param param;
  std::vector<std::string> failures;
  int tiles = 0, multi_fold = 0, early_caught = 0, faster = 0;

  PipelineBench(sc_core::sc_module_name name, Param p)
      : sc_module(name),
        small("small", std::get<0>(p), 3, 5, narrow_format(std::get<0>(p), std::get<2>(p)),
              sc_core::sc_time(2, sc_core::SC_NS)),
        large("large", std::get<0>(p), 16, 16, narrow_format(std::get<0>(p), std::get<2>(p)),
              sc_core::sc_time(2, sc_core::SC_NS)),
        param(p) {
    SC_HAS_PROCESS(PipelineBench);
    SC_THREAD(drive);
  }

  void drive() {
    const auto [op, df, ov] = param;
    std::mt19937_64 rng(4321 + int(op) * 10 + int(df) * 3 + int(ov));
    for (PipelinedArrayModule* arr : {&small, &large}) {
      const PipelinedArray& a = arr->tile_model().array();
      const int R = a.rows(), C = a.cols();
      const PeFormat f = a.format();
      std::uniform_int_distribution<int64_t> rdim(1, 3 * R), cdim(1, 3 * C), sdim(1, 2 * R + 8);
      for (int trial = 0; trial < 40; ++trial) {
        const int64_t r = trial == 0 ? 1 : rdim(rng), c = trial == 0 ? 1 : cdim(rng),
                      s = trial == 0 ? 1 : sdim(rng);
        int64_t m = r, k = s, n = c;  // OS: rows <- m, cols <- n, stream k
        if (df == Dataflow::WeightStationary) k = r, n = c, m = s;
        if (df == Dataflow::InputStationary) k = r, m = c, n = s;
        if (df == Dataflow::OutputStationaryTransposed) n = r, m = c, k = s;
        const FoldInput tile = random_fold(rng, op, f, m, k, n);
        const sc_core::sc_time t0 = sc_core::sc_time_stamp();
        const uint64_t cycles = arr->run_tile(df, tile);
        const uint64_t elapsed =
            uint64_t((sc_core::sc_time_stamp() - t0) / sc_core::sc_time(2, sc_core::SC_NS));
        std::ostringstream where;
        where << R << "x" << C << " m=" << m << " k=" << k << " n=" << n;
        const uint64_t closed = pipelined_tile_cycles(df, R, C, m, k, n);
        if (cycles != closed || elapsed != cycles)
          failures.push_back(where.str() + ": simulated " + std::to_string(cycles) + " edges / " +
                             std::to_string(elapsed) + " periods, closed form " + std::to_string(closed));
        if (!run_correct(arr->tile_model(), op, f))
          failures.push_back(
              where.str() + ": results differ from the reference" +
              (arr->tile_model().errors().empty() ? "" : " (" + arr->tile_model().errors()[0] + ")"));
        const uint64_t serial = tile_cycles(df, R, C, m, k, n);
        if (cycles > serial) failures.push_back(where.str() + ": slower than fold after fold");
        if (cycles < serial) ++faster;
        const size_t folds = arr->tile_model().tile().folds().size();
        // A lone fold: as without pipelining for WS/IS; OS one edge less (its results leave from the top row
        // as they finish instead of being shifted out of the bottom row after the last one).
        const uint64_t lone = fold_cycles(df, m, k, n) - (output_stationary(df) ? 1 : 0);
        if (folds == 1 && cycles != lone)
          failures.push_back(where.str() + ": a lone fold costs " + std::to_string(cycles) + ", expected " +
                             std::to_string(lone));
        ++tiles;
        if (folds < 2) continue;
        ++multi_fold;
        std::uniform_int_distribution<int64_t> pick(1, int64_t(folds) - 1);
        const int64_t early = pick(rng);
        // Two random operand sets, so that an early fold whose wrong results happen to equal the right ones
        // in one is caught in the other.
        bool caught = false;
        for (int set = 0; set < 2; ++set) {
          const FoldInput plain = nonzero_tile(rng, op, m, k, n);
          arr->run_tile(df, plain, -1);
          if (!run_correct(arr->tile_model(), op, f))
            failures.push_back(where.str() + ": plain operands failed");
          arr->run_tile(df, plain, early);
          caught = caught || !run_correct(arr->tile_model(), op, f);
        }
        if (caught)
          ++early_caught;
        else
          failures.push_back(where.str() + ": fold " + std::to_string(early) +
                             " one edge early went unnoticed");
      }
    }
  }
};

class PipelinedTiles : public testing::TestWithParam<Param> {};

TEST_P(PipelinedTiles, ResultsMatchReferenceCyclesMatchClosedFormAndEveryHazardBinds) {
  PipelineBench bench("bench", GetParam());
  sc_core::sc_start();
  EXPECT_EQ(bench.tiles, 80);
  EXPECT_GE(bench.multi_fold, 50) << "too few tiles with more than one fold";
  EXPECT_EQ(bench.early_caught, bench.multi_fold);
  EXPECT_GE(bench.faster, 40) << "pipelining should save cycles on most multi-fold tiles";
  for (const auto& f : bench.failures) ADD_FAILURE() << f;
}

INSTANTIATE_TEST_SUITE_P(AllPeTypes, PipelinedTiles,
                         testing::Combine(testing::Values(OpType::Mult, OpType::Shift, OpType::Adder),
                                          testing::Values(Dataflow::OutputStationary,
                                                          Dataflow::WeightStationary,
                                                          Dataflow::InputStationary),
                                          testing::Values(Overflow::Wrap, Overflow::Saturate)),
                         [](const testing::TestParamInfo<Param>& info) {
                           return std::string(to_string(std::get<0>(info.param))) + "_" +
                                  short_name(std::get<1>(info.param)) + "_" +
                                  to_string(std::get<2>(info.param));
                         });

// Output-stationary transposed runs as the output-stationary tile of the transposed product (the folds'
// results checked are those of w^T a^T); for the PEs whose operation commutes.
INSTANTIATE_TEST_SUITE_P(Commuting, PipelinedTiles,
                         testing::Combine(testing::Values(OpType::Mult, OpType::Adder),
                                          testing::Values(Dataflow::OutputStationaryTransposed),
                                          testing::Values(Overflow::Wrap, Overflow::Saturate)),
                         [](const testing::TestParamInfo<Param>& info) {
                           return std::string(to_string(std::get<0>(info.param))) + "_" +
                                  short_name(std::get<1>(info.param)) + "_" +
                                  to_string(std::get<2>(info.param));
                         });

// The tiles of a layer back to back (a fixed m x n block, its reduction cut into k tiles of which the last
// may be short, and sometimes a different n): each tile's first fold starts pipelined_tile_issue after the
// previous tile's, every result is right, and the run ends when the last tile's results are out.
struct LayerBench : sc_core::sc_module {
  PipelinedArrayModule small, large;
  Dataflow df;
  OpType op;
  std::vector<std::string> failures;
  int runs = 0, overlapped = 0;

  LayerBench(sc_core::sc_module_name name, OpType o, Dataflow d)
      : sc_module(name),
        small("small", o, 3, 5, narrow_format(o, Overflow::Wrap), sc_core::sc_time(2, sc_core::SC_NS)),
        large("large", o, 16, 16, narrow_format(o, Overflow::Wrap), sc_core::sc_time(2, sc_core::SC_NS)),
        df(d),
        op(o) {
    SC_HAS_PROCESS(LayerBench);
    SC_THREAD(drive);
  }

  void drive() {
    std::mt19937_64 rng(777 + int(op) * 10 + int(df));
    for (PipelinedArrayModule* arr : {&small, &large}) {
      const int R = arr->tile_model().array().rows(), C = arr->tile_model().array().cols();
      const PeFormat f = arr->tile_model().array().format();
      std::uniform_int_distribution<int64_t> dim(1, 2 * std::max(R, C) + 3), count(2, 4);
      for (int trial = 0; trial < 30; ++trial) {
        const int64_t m = dim(rng), n = dim(rng), kt = dim(rng), tiles = count(rng);
        std::vector<FoldInput> layer;
        for (int64_t t = 0; t < tiles; ++t) {
          const int64_t k = t + 1 == tiles ? std::uniform_int_distribution<int64_t>(1, kt)(rng) : kt;
          const int64_t nn = t % 2 == 1 && trial % 3 == 0 ? std::max<int64_t>(1, n / 2) : n;
          layer.push_back(nonzero_tile(rng, op, m, k, nn));
        }
        arr->run_tiles(df, layer);
        const PipelinedTileModel& model = arr->tile_model();
        std::ostringstream where;
        where << R << "x" << C << " m=" << m << " n=" << n << " kt=" << kt << " tiles=" << tiles;
        if (!run_correct(model, op, f)) failures.push_back(where.str() + ": results differ");
        int64_t k_min = INT64_MAX, k_max = 0;
        for (const FoldInput& t : layer) k_min = std::min(k_min, t.k), k_max = std::max(k_max, t.k);
        // Tile t+1's first fold starts issue(t) after tile t's first fold (within a tile the folds follow
        // each other as in the tile alone).
        std::vector<int64_t> first_start(layer.size(), -1);
        for (const PipelinedFold& fold : model.tile().folds())
          if (first_start[fold.tile] < 0) first_start[fold.tile] = fold.start;
        for (size_t t = 0; t + 1 < layer.size(); ++t) {
          const FoldInput& x = layer[t];
          const uint64_t issue = pipelined_tile_issue(df, R, C, x.m, x.k, x.n, k_min, k_max);
          if (first_start[t + 1] - first_start[t] != int64_t(issue))
            failures.push_back(where.str() + ": tile " + std::to_string(t + 1) + " started " +
                               std::to_string(first_start[t + 1] - first_start[t]) + " after tile " +
                               std::to_string(t) + ", issue says " + std::to_string(issue));
          if (issue < tile_cycles(df, R, C, x.m, x.k, x.n, true)) ++overlapped;
        }
        ++runs;
      }
    }
  }
};

class PipelinedLayer : public testing::TestWithParam<std::tuple<OpType, Dataflow>> {};

TEST_P(PipelinedLayer, TilesFollowEachOtherAtTheirIssueCyclesAndStayCorrect) {
  LayerBench bench("bench", std::get<0>(GetParam()), std::get<1>(GetParam()));
  sc_core::sc_start();
  EXPECT_EQ(bench.runs, 60);
  EXPECT_GE(bench.overlapped, 60) << "tiles should overlap their predecessors' last results";
  for (const auto& f : bench.failures) ADD_FAILURE() << f;
}

INSTANTIATE_TEST_SUITE_P(AllPeTypes, PipelinedLayer,
                         testing::Combine(testing::Values(OpType::Mult, OpType::Shift, OpType::Adder),
                                          testing::Values(Dataflow::OutputStationary,
                                                          Dataflow::WeightStationary,
                                                          Dataflow::InputStationary)),
                         [](const testing::TestParamInfo<std::tuple<OpType, Dataflow>>& info) {
                           return std::string(to_string(std::get<0>(info.param))) + "_" +
                                  short_name(std::get<1>(info.param));
                         });

}  // namespace
}  // namespace cosim
