// A global-buffer tile's room, by hand: the tile takes the layer's whole share of the global buffer, one tile
// at a time (mapper/gemm_tiling.hpp says why the pipeline never holds two), so a tile of exactly the share
// fits and one byte more does not.
#include <gtest/gtest.h>

#include "mapper/gemm_tiling.hpp"

namespace cosim {
namespace {

// m = 64, k = 128, n = 32 at 8-bit operands and outputs (32-bit partial sums), every tensor in DRAM.
GemmProblem staged_problem(uint64_t budget) {
  GemmProblem p;
  p.m = 64, p.k = 128, p.n = 32;
  p.glb_budget = budget;
  return p;
}

TEST(GlobalBufferCapacity, AWholeReductionTileFitsTheWholeShareExactly) {
  // Mg = 32, whole K and N: input 32 x 128 = 4096 B, weights 128 x 32 = 4096 B, output 32 x 32 = 1024 B.
  EXPECT_EQ(glb_tile_bytes(staged_problem(0), 32, 128, 32), 9216u);
  EXPECT_TRUE(glb_tile_fits(staged_problem(9216), 32, 128, 32));
  EXPECT_FALSE(glb_tile_fits(staged_problem(9215), 32, 128, 32));
}

TEST(GlobalBufferCapacity, ASlicedTileCountsItsPartialSumsAtAccumulatorWidth) {
  // Mg = 32, Kg = 64, whole N: input 32 x 64 = 2048 B, weights 64 x 32 = 2048 B, partial sums 32 x 32 x 4 B
  // = 4096 B (the output takes their place after the last slice).
  EXPECT_EQ(glb_tile_bytes(staged_problem(0), 32, 64, 32), 8192u);
  EXPECT_TRUE(glb_tile_fits(staged_problem(8192), 32, 64, 32));
  EXPECT_FALSE(glb_tile_fits(staged_problem(8191), 32, 64, 32));
}

TEST(GlobalBufferCapacity, BypassingWeightsTakeNoRoom) {
  GemmProblem p = staged_problem(5120);
  p.b_bypass = true;  // input 4096 B + output 1024 B
  EXPECT_TRUE(glb_tile_fits(p, 32, 128, 32));
  p.glb_budget = 5119;
  EXPECT_FALSE(glb_tile_fits(p, 32, 128, 32));
}

}  // namespace
}  // namespace cosim
