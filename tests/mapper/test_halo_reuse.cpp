// Halo reuse between neighbouring strips of a convolution's output (docs/mapper.md), by hand: the global
// buffer keeps the input rows the strip before it fetched that the next strip's windows also cover, and
// fetches only the rest. Default preset (64 B DRAM bursts), int8, every tensor in DRAM.
#include <gtest/gtest.h>

#include "mapper/gemm_tiling.hpp"
#include "spec/arch_spec.hpp"
#include "support/test_files.hpp"

namespace cosim {
namespace {

// A 3x3 stride-1 convolution without padding: 4 channels of 8 x 8 -> 6 x 6 output pixels, 8 filters.
GemmProblem conv_8x8(int64_t items = 1) {
  GemmProblem p;
  p.window = ConvWindow{8, 8, 4, 3, 3, 1, 1, 6, 6, items};
  p.m = 36 * items, p.k = 36, p.n = 8;
  return p;
}

// Global-buffer strips of 12 pixels (two output rows), whole reduction; one chunk tile per strip.
GemmTiling two_row_strips(bool glb_n_outer, int64_t ng) {
  GemmTiling t;
  t.dataflow = Dataflow::OutputStationary;
  t.mt = 12, t.kt = 36, t.nt = ng;
  t.mg = 12, t.ng = ng, t.glb_n_outer = glb_n_outer;
  return t;
}

std::vector<uint64_t> input_fetches(const ArchSpec& arch, const GemmProblem& p, const GemmTiling& t) {
  std::vector<uint64_t> bytes;
  for_each_gemm_tile(arch, p, t, [&](const TileStep& s) {
    if (!s.fetches.empty()) bytes.push_back(s.fetches.front().bytes);  // a's fetch comes first
  });
  return bytes;
}

TEST(HaloReuse, EachStripFetchesOnlyTheRowsTheOneBeforeDidNotHold) {
  const ArchSpec arch = read_arch(test::source_path("arch/default.json"));
  const GemmProblem p = conv_8x8();
  const GemmTiling t = two_row_strips(false, 8);
  ASSERT_TRUE(gemm_tiling_fits(p, arch.chunks[0], t));
  // Strip 1 (output rows 0-1): input rows 0-3, 4 x 8 pixels x 4 channels = 128 B. Strips 2 and 3 (output
  // rows 2-3, 4-5) need input rows 2-5 and 4-7: rows 2-3 and 4-5 are held, 64 B each. 256 B: the input once.
  EXPECT_EQ(input_fetches(arch, p, t), (std::vector<uint64_t>{128, 64, 64}));
  EXPECT_DOUBLE_EQ(gemm_cost(arch, p, t).actions.dram_by_tensor.input, 256);
}

TEST(HaloReuse, EveryPassOverTheOutputStartsAfresh) {
  const ArchSpec arch = read_arch(test::source_path("arch/default.json"));
  const GemmProblem p = conv_8x8();
  // Two blocks of 4 filters outside the strips: the input is read in two passes of 128 + 64 + 64 B.
  const GemmTiling t = two_row_strips(true, 4);
  ASSERT_TRUE(gemm_tiling_fits(p, arch.chunks[0], t));
  EXPECT_EQ(input_fetches(arch, p, t), (std::vector<uint64_t>{128, 64, 64, 128, 64, 64}));
  EXPECT_DOUBLE_EQ(gemm_cost(arch, p, t).actions.dram_by_tensor.input, 512);
}

TEST(HaloReuse, AStripStartingAnItemSharesNothingWithTheOneBefore) {
  const ArchSpec arch = read_arch(test::source_path("arch/default.json"));
  const GemmProblem p = conv_8x8(2);
  const GemmTiling t = two_row_strips(false, 8);
  ASSERT_TRUE(gemm_tiling_fits(p, arch.chunks[0], t));
  // Two items of 36 pixels: strips of 12 never straddle them, but every third starts one and shares nothing
  // with the strip before; the uniform count keeps nothing: 6 x 128 B.
  EXPECT_EQ(input_fetches(arch, p, t), (std::vector<uint64_t>(6, 128)));
  EXPECT_DOUBLE_EQ(gemm_cost(arch, p, t).actions.dram_by_tensor.input, 768);
  // Strips of 10 pixels (not aligned to the rows) may span 3 output rows of two items: 3 + 2 x 2 input rows.
  EXPECT_EQ(p.window.fetched_elements(10, 10, 36, 36, false), 7u * 8 * 4);
}

TEST(HaloReuse, StridedWindowsKeepTheirOverlapAndSlicesKeepNothing) {
  // 3x3 stride 2, 16 channels of 9 x 9 -> 4 x 4: one output row needs 3 input rows of 9 pixels (432 B, 7
  // bursts); the next shares one of them and fetches 2 (288 B, 5 bursts). The whole input once: 1296 B.
  const ConvWindow w{9, 9, 16, 3, 3, 2, 2, 4, 4, 1};
  EXPECT_EQ(w.fetched_elements(4, 4, 144, 144, false), 432u);
  EXPECT_EQ(w.fetched_elements(4, 4, 144, 144, true), 288u);
  EXPECT_EQ(432u + 3 * 288u, 9u * 9 * 16);
  // A slice of the reduction (two of the 16 channels): consecutive fetches differ in k, nothing is kept.
  EXPECT_EQ(w.fetched_elements(4, 4, 18, 18, true), 3u * 9 * 2);
  // Strips of 7 pixels, not aligned to the rows, may span 3 output rows: 7 input rows; each keeps one.
  EXPECT_EQ(w.fetched_elements(7, 7, 144, 144, false), 7u * 9 * 16);
  EXPECT_EQ(w.fetched_elements(7, 7, 144, 144, true), 6u * 9 * 16);
  // 1x1 windows do not overlap; a single pixel's strip is held expanded (9 x 16 < 3 rows), nothing kept.
  const ConvWindow pointwise{8, 8, 16, 1, 1, 1, 1, 8, 8, 1};
  EXPECT_EQ(pointwise.fetched_elements(16, 16, 16, 16, true), 16u * 16);
  EXPECT_EQ(w.fetched_elements(1, 1, 144, 144, true), 144u);
}

}  // namespace
}  // namespace cosim
