// Level 1: the clocked SystemC PE-array model against (a) reference arithmetic of its own
// (tests/support/spec_reference.hpp), bit for bit, and (b) the closed-form cycles that the accelerator-level
// model charges, on random fold and tile shapes for every PE type, dataflow and overflow mode.
#include <gtest/gtest.h>

#include <memory>
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

// Runs random folds through two arrays of different shapes inside one elaboration; collects any mismatch.
struct FoldBench : sc_core::sc_module {
  PeArrayModule small, large;
  Param param;
  std::vector<std::string> failures;
  int folds_checked = 0;
  bool saw_overflow = false;

  FoldBench(sc_core::sc_module_name name, Param p)
      : sc_module(name),
        small("small", std::get<0>(p), 3, 5, narrow_format(std::get<0>(p), std::get<2>(p)),
              sc_core::sc_time(2, sc_core::SC_NS)),
        large("large", std::get<0>(p), 16, 16, narrow_format(std::get<0>(p), std::get<2>(p)),
              sc_core::sc_time(2, sc_core::SC_NS)),
        param(p) {
    SC_HAS_PROCESS(FoldBench);
    SC_THREAD(drive);
  }

  void drive() {
    const auto [op, df, ov] = param;
    std::mt19937_64 rng(1234 + int(op) * 10 + int(df));
    for (PeArrayModule* arr : {&small, &large}) {
      const int rows = arr->array().rows(), cols = arr->array().cols();
      const PeFormat f = arr->array().format();
      for (int trial = 0; trial < 150; ++trial) {
        // Spatial dims within the array, streamed dim free; include the 1-sized edge cases.
        std::uniform_int_distribution<int64_t> rdim(1, rows), cdim(1, cols), sdim(1, 40);
        int64_t r = trial == 0 ? 1 : rdim(rng), c = trial == 0 ? 1 : cdim(rng),
                s = trial == 0 ? 1 : sdim(rng);
        int64_t m, k, n;
        if (df == Dataflow::OutputStationary)
          m = r, n = c, k = s;
        else if (df == Dataflow::WeightStationary)
          k = r, n = c, m = s;
        else if (df == Dataflow::InputStationary)
          k = r, m = c, n = s;
        else
          n = r, m = c, k = s;
        FoldInput fold = random_fold(rng, op, f, m, k, n);
        const sc_core::sc_time t0 = sc_core::sc_time_stamp();
        const uint64_t cycles = arr->run_fold(df, fold);
        const uint64_t elapsed =
            uint64_t((sc_core::sc_time_stamp() - t0) / sc_core::sc_time(2, sc_core::SC_NS));
        std::ostringstream where;
        where << rows << "x" << cols << " m=" << m << " k=" << k << " n=" << n;
        if (cycles != fold_cycles(df, m, k, n) || elapsed != cycles) {
          failures.push_back(where.str() + ": simulated " + std::to_string(cycles) + " edges / " +
                             std::to_string(elapsed) + " periods, closed form " +
                             std::to_string(fold_cycles(df, m, k, n)));
        }
        const auto ref = test::spec_fold(op, f, fold);
        if (ref != arr->array().outputs())
          failures.push_back(where.str() + ": outputs differ from the reference");
        // Did this fold exercise the accumulator's width limit?
        PeFormat wide = f;
        wide.acc_bits = 48;
        if (test::spec_fold(op, wide, fold) != ref) saw_overflow = true;
        ++folds_checked;
      }
    }
  }
};

class FoldModel : public testing::TestWithParam<Param> {};

TEST_P(FoldModel, ClockedModelMatchesReferenceAndClosedForm) {
  FoldBench bench("bench", GetParam());
  sc_core::sc_start();
  EXPECT_EQ(bench.folds_checked, 300);
  EXPECT_TRUE(bench.saw_overflow)
      << "the random folds never reached the accumulator's width; test is too weak";
  for (const auto& f : bench.failures) ADD_FAILURE() << f;
}

std::string param_name(const testing::TestParamInfo<Param>& info) {
  return std::string(to_string(std::get<0>(info.param))) + "_" + short_name(std::get<1>(info.param)) + "_" +
         to_string(std::get<2>(info.param));
}

INSTANTIATE_TEST_SUITE_P(AllPeTypes, FoldModel,
                         testing::Combine(testing::Values(OpType::Mult, OpType::Shift, OpType::Adder),
                                          testing::Values(Dataflow::OutputStationary,
                                                          Dataflow::WeightStationary,
                                                          Dataflow::InputStationary),
                                          testing::Values(Overflow::Wrap, Overflow::Saturate)),
                         param_name);

// Output-stationary transposed (the weights at the left edge, n on the rows): only for PEs whose operation
// commutes (spec/arch_spec.cpp refuses it for shift chunks).
INSTANTIATE_TEST_SUITE_P(Commuting, FoldModel,
                         testing::Combine(testing::Values(OpType::Mult, OpType::Adder),
                                          testing::Values(Dataflow::OutputStationaryTransposed),
                                          testing::Values(Overflow::Wrap, Overflow::Saturate)),
                         param_name);

// A whole tile (larger than the array) run fold after fold equals tile_cycles(), and the folds' partial sums,
// combined in k order with wrap-around, equal the reference GEMM.
struct TileBench : sc_core::sc_module {
  PeArrayModule arr;
  std::vector<std::string> failures;
  int tiles = 0;
  Dataflow df;
  TileBench(sc_core::sc_module_name name, OpType op, Dataflow d)
      : sc_module(name),
        arr("arr", op, 4, 6, narrow_format(op, Overflow::Wrap), sc_core::sc_time(2, sc_core::SC_NS)),
        df(d) {
    SC_HAS_PROCESS(TileBench);
    SC_THREAD(drive);
  }
  void drive() {
    std::mt19937_64 rng(99 + int(df));
    const int R = arr.array().rows(), C = arr.array().cols();
    const PeFormat f = arr.array().format();
    const OpType op = arr.array().op();
    std::uniform_int_distribution<int64_t> dim(1, 23);
    for (int trial = 0; trial < 40; ++trial) {
      const int64_t M = dim(rng), K = dim(rng), N = dim(rng);
      FoldInput full = random_fold(rng, op, f, M, K, N);
      std::vector<int64_t> out(size_t(M * N), 0);
      uint64_t cycles = 0;
      const SpatialMap s = spatial_map(df, M, K, N);
      // Split the spatial dims into folds; every fold streams the whole third dim.
      for (int64_t r0 = 0; r0 < s.rows_dim; r0 += R) {
        for (int64_t c0 = 0; c0 < s.cols_dim; c0 += C) {
          const int64_t rr = std::min<int64_t>(R, s.rows_dim - r0),
                        cc = std::min<int64_t>(C, s.cols_dim - c0);
          int64_t m0 = 0, k0 = 0, n0 = 0, m = M, k = K, n = N;
          if (df == Dataflow::OutputStationary)
            m0 = r0, m = rr, n0 = c0, n = cc;
          else if (df == Dataflow::WeightStationary)
            k0 = r0, k = rr, n0 = c0, n = cc;
          else if (df == Dataflow::InputStationary)
            k0 = r0, k = rr, m0 = c0, m = cc;
          else
            n0 = r0, n = rr, m0 = c0, m = cc;
          FoldInput fold;
          fold.m = m, fold.k = k, fold.n = n;
          for (int64_t i = 0; i < m; ++i)
            for (int64_t j = 0; j < k; ++j) fold.a.push_back(full.a[size_t((m0 + i) * K + k0 + j)]);
          for (int64_t i = 0; i < k; ++i)
            for (int64_t j = 0; j < n; ++j) fold.w.push_back(full.w[size_t((k0 + i) * N + n0 + j)]);
          cycles += arr.run_fold(df, fold);
          const auto& o = arr.array().outputs();
          for (int64_t i = 0; i < m; ++i)
            for (int64_t j = 0; j < n; ++j) {
              int64_t& dst = out[size_t((m0 + i) * N + n0 + j)];
              dst = reduce_to_width(dst + o[size_t(i * n + j)], f.acc_bits, Overflow::Wrap);
            }
        }
      }
      std::ostringstream where;
      where << "M=" << M << " K=" << K << " N=" << N;
      if (cycles != tile_cycles(df, R, C, M, K, N))
        failures.push_back(where.str() + ": folds took " + std::to_string(cycles) + ", tile_cycles says " +
                           std::to_string(tile_cycles(df, R, C, M, K, N)));
      if (out != test::spec_fold(op, f, full)) failures.push_back(where.str() + ": tile outputs differ");
      ++tiles;
    }
  }
};

class TileModel : public testing::TestWithParam<std::tuple<OpType, Dataflow>> {};

TEST_P(TileModel, FoldByFoldEqualsClosedFormTileCycles) {
  TileBench bench("bench", std::get<0>(GetParam()), std::get<1>(GetParam()));
  sc_core::sc_start();
  EXPECT_EQ(bench.tiles, 40);
  for (const auto& f : bench.failures) ADD_FAILURE() << f;
}

INSTANTIATE_TEST_SUITE_P(AllPeTypes, TileModel,
                         testing::Combine(testing::Values(OpType::Mult, OpType::Shift, OpType::Adder),
                                          testing::Values(Dataflow::OutputStationary,
                                                          Dataflow::WeightStationary,
                                                          Dataflow::InputStationary)),
                         [](const testing::TestParamInfo<std::tuple<OpType, Dataflow>>& info) {
                           return std::string(to_string(std::get<0>(info.param))) + "_" +
                                  short_name(std::get<1>(info.param));
                         });

INSTANTIATE_TEST_SUITE_P(Commuting, TileModel,
                         testing::Combine(testing::Values(OpType::Mult, OpType::Adder),
                                          testing::Values(Dataflow::OutputStationaryTransposed)),
                         [](const testing::TestParamInfo<std::tuple<OpType, Dataflow>>& info) {
                           return std::string(to_string(std::get<0>(info.param))) + "_" +
                                  short_name(std::get<1>(info.param));
                         });

// The transposed product's closed forms, worked by hand: a 5 x 7 x 3 fold (m x k x n) puts n = 3 on the rows
// and m = 5 on the columns: 7 + 2*3 + 5 - 2 = 16 edges (output-stationary: 7 + 2*5 + 3 - 2 = 18). A 197 x 192
// x 64 tile on 64 x 8 (DeiT-Tiny's tokens on vitcod_like) is one row fold by 25 column folds, 24 of 8 and one
// of 5: fold after fold 24*(192 + 2*64 + 8 - 2) + (192 + 2*64 + 5 - 2) = 8,147 cycles; pipelined, folds start
// max(192, 2*64 - 1) = 192 edges apart and the last ends 192 + 2*64 + 5 - 3 = 322 edges after it starts:
// 24*192 + 322 = 4,930.
TEST(TransposedOutputStationary, ClosedFormsWorkedByHand) {
  EXPECT_EQ(fold_cycles(Dataflow::OutputStationaryTransposed, 5, 7, 3), 16u);
  EXPECT_EQ(fold_cycles(Dataflow::OutputStationary, 5, 7, 3), 18u);
  EXPECT_EQ(tile_cycles(Dataflow::OutputStationaryTransposed, 64, 8, 197, 192, 64), 8147u);
  EXPECT_EQ(pipelined_tile_cycles(Dataflow::OutputStationaryTransposed, 64, 8, 197, 192, 64), 4930u);
  EXPECT_EQ(tile_folds(Dataflow::OutputStationaryTransposed, 64, 8, 197, 192, 64), 25u);
}

}  // namespace
}  // namespace cosim
