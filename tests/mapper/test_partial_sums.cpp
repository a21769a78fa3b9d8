// Partial sums in the global buffer, by hand: a GEMM whose global-buffer tile slices the reduction in two
// (docs/mapper.md). Default preset, mult chunk (16 x 16, 8-bit operands, 32-bit accumulators); DRAM bursts of
// 64 B.
#include <gtest/gtest.h>

#include "mapper/gemm_tiling.hpp"
#include "spec/arch_spec.hpp"
#include "support/test_files.hpp"

namespace cosim {
namespace {

// m = 48, k = 64, n = 16, every tensor in DRAM; chunk tiles 16 x 16 x 16 (n outer), one global-buffer tile
// of the whole of m and n, the reduction in two slices of 32. Per slice: 3 output tiles x 2 k tiles = 6
// chunk tiles, 12 in all.
GemmProblem sliced_problem() {
  GemmProblem p;
  p.m = 48, p.k = 64, p.n = 16;
  return p;
}

GemmTiling sliced_tiling() {
  GemmTiling t;
  t.mt = 16, t.kt = 16, t.nt = 16, t.kg = 32;
  return t;
}

TEST(PartialSums, TrafficByTensorOfTwoSlicesByHand) {
  const ArchSpec arch = read_arch(test::source_path("arch/default.json"));
  const GemmProblem p = sliced_problem();
  const GemmTiling t = sliced_tiling();
  ASSERT_TRUE(gemm_tiling_fits(p, arch.chunks[0], t));
  const ActionCounts a = gemm_cost(arch, p, t).actions;
  // DRAM: each slice fetches its 48 x 32 input (1536 B) and 32 x 16 weights (512 B), both whole bursts; the
  // 48 x 16 result (768 B) is written back once. Nothing is fetched twice: 4864 B = compulsory.
  EXPECT_DOUBLE_EQ(a.dram_by_tensor.input, 3072);
  EXPECT_DOUBLE_EQ(a.dram_by_tensor.weight, 1024);
  EXPECT_DOUBLE_EQ(a.dram_by_tensor.output, 768);
  EXPECT_DOUBLE_EQ(a.dram_by_tensor.psum, 0);
  // Global buffer: input written by its fetches (3072) and read by 12 chunk loads of 16 x 16 (3072, reloaded
  // on every tile: two k tiles per slice); weights 1024 + 12 x 256; partial sums stored after slice 0 (3
  // output tiles x 16 x 16 x 4 B = 3072) and loaded back for slice 1 (3072); the result stored by 3 tiles
  // (768) and read by its writeback (768).
  EXPECT_DOUBLE_EQ(a.glb_by_tensor.input, 6144);
  EXPECT_DOUBLE_EQ(a.glb_by_tensor.weight, 4096);
  EXPECT_DOUBLE_EQ(a.glb_by_tensor.psum, 6144);
  EXPECT_DOUBLE_EQ(a.glb_by_tensor.output, 1536);
  // Partial-sum adds: each output element gets 4 k tiles (2 per slice), all but the first add to partial
  // sums: 3 x 768 = 2304.
  EXPECT_EQ(a.psum_adds, 2304u);
}

TEST(PartialSums, TilesLoadThemBackAtTheStartOfTheNextSliceByHand) {
  const ArchSpec arch = read_arch(test::source_path("arch/default.json"));
  std::vector<TileStep> tiles;
  for_each_gemm_tile(arch, sliced_problem(), sliced_tiling(), [&](const TileStep& s) { tiles.push_back(s); });
  ASSERT_EQ(tiles.size(), 12u);
  const Transfer chunk_tile{256, false}, psums{1024, false};
  // Tile 1 ends the first output tile's slice 0: its partial sums (16 x 16 x 4 B) go to the global buffer.
  EXPECT_EQ(tiles[1].stores, (std::vector<Transfer>{psums}));
  EXPECT_TRUE(tiles[0].stores.empty());
  // Tile 6 starts slice 1: it fetches the slice's input and weights, then loads a, b and the partial sums.
  EXPECT_EQ(tiles[6].fetches, (std::vector<Transfer>{{1536, true}, {512, true}}));
  EXPECT_EQ(tiles[6].loads, (std::vector<Transfer>{chunk_tile, chunk_tile, psums}));
  EXPECT_EQ(tiles[7].loads, (std::vector<Transfer>{chunk_tile, chunk_tile}));
  // The last tile stores the result (16 x 16 x 1 B) and writes back the whole 48 x 16 output.
  EXPECT_EQ(tiles[11].stores, (std::vector<Transfer>{{256, false}}));
  EXPECT_EQ(tiles[11].writebacks, (std::vector<Transfer>{{768, true}}));
}

// The partial sums of an output tile come back 3 tiles after they left when a slice holds 2 output tiles of
// 2 k tiles each ((2 - 1) x 2 + 1): too soon for the pipeline's slot rules to order them, so the tiling is
// not legal; with 3 output tiles (5 tiles) it is.
TEST(PartialSums, TooFewChunkTilesPerSliceIsNotATiling) {
  const ArchSpec arch = read_arch(test::source_path("arch/default.json"));
  GemmProblem p = sliced_problem();
  p.m = 32;
  EXPECT_FALSE(psum_distance_ok(p, sliced_tiling()));
  EXPECT_FALSE(gemm_tiling_fits(p, arch.chunks[0], sliced_tiling()));
  p.m = 48;
  EXPECT_TRUE(psum_distance_ok(p, sliced_tiling()));
}

}  // namespace
}  // namespace cosim
