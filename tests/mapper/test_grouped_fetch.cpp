// A grouped layer fetches the weights of all its groups in one transfer (docs/mapper.md), by hand: four
// groups of a 16 x 9 x 1 GEMM (a depthwise layer's shape), every tensor in DRAM, default preset (mult chunk,
// 8-bit operands, DRAM bursts of 64 B), one chunk tile per group.
#include <gtest/gtest.h>

#include "mapper/gemm_tiling.hpp"
#include "spec/arch_spec.hpp"
#include "support/test_files.hpp"

namespace cosim {
namespace {

GemmProblem four_groups() {
  GemmProblem p;
  p.groups = 4, p.m = 16, p.k = 9, p.n = 1;
  return p;
}

GemmTiling one_tile_per_group() {
  GemmTiling t;
  t.dataflow = Dataflow::WeightStationary;
  t.mt = 16, t.kt = 9, t.nt = 1;
  return t;
}

TEST(GroupedFetch, WeightsOfAllGroupsComeInOneTransferByHand) {
  const ArchSpec arch = read_arch(test::source_path("arch/default.json"));
  const GemmProblem p = four_groups();
  const GemmTiling t = one_tile_per_group();
  ASSERT_TRUE(gemm_tiling_fits(p, arch.chunks[0], t));
  std::vector<TileStep> tiles;
  for_each_gemm_tile(arch, p, t, [&](const TileStep& s) { tiles.push_back(s); });
  ASSERT_EQ(tiles.size(), 4u);
  // The first tile fetches its group's 16 x 9 input (144 B: three 64 B bursts) and the 4 x 9 weights of
  // every group (36 B: one burst); the others only their input.
  EXPECT_EQ(tiles[0].fetches, (std::vector<Transfer>{{192, true}, {64, true}}));
  for (size_t g = 1; g < 4; ++g) EXPECT_EQ(tiles[g].fetches, (std::vector<Transfer>{{192, true}})) << g;
  // DRAM: inputs 4 x 144 B in whole 64 B bursts = 4 x 192; the weights one burst of 64 B (four before: one
  // per group); the 4 x 16 results (16 B each) written back as 4 bursts.
  const ActionCounts a = gemm_cost(arch, p, t).actions;
  EXPECT_DOUBLE_EQ(a.dram_by_tensor.input, 768);
  EXPECT_DOUBLE_EQ(a.dram_by_tensor.weight, 64);
  EXPECT_DOUBLE_EQ(a.dram_by_tensor.output, 256);
}

TEST(GroupedFetch, APerGroupSliceOfTheWeightsIsFetchedPerGroup) {
  const ArchSpec arch = read_arch(test::source_path("arch/default.json"));
  GemmProblem p = four_groups();
  p.k = 18;
  GemmTiling t = one_tile_per_group();
  t.kt = 9;  // two k tiles; the global-buffer tile keeps the whole reduction: weights still in one transfer
  ASSERT_TRUE(gemm_tiling_fits(p, arch.chunks[0], t));
  EXPECT_DOUBLE_EQ(gemm_cost(arch, p, t).actions.dram_by_tensor.weight, 128);  // 72 B in whole bursts
}

}  // namespace
}  // namespace cosim
