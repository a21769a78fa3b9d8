// The split of the engine's MAC lines between the denser and the sparser engine, per head, against cycle
// counts worked out by hand from docs/sparse-attention.md (8 lines of 8 MACs, head_dim 8: one beat per entry,
// a phase ends one cycle after its last beat).
#include <gtest/gtest.h>

#include "mapper/sparse_attention_mapping.hpp"

namespace cosim {
namespace {

HeadPolarization head(int n, int global, std::vector<uint32_t> sparse_rows) {
  HeadPolarization h;
  h.n = n;
  h.global_tokens = global;
  h.dense_entries = uint64_t(n) * uint64_t(global);
  for (uint32_t r : sparse_rows) h.sparse_entries += r;
  h.sparse_rows = std::move(sparse_rows);
  return h;
}

// Head A: 16 queries, 1 global column (16 dense entries), 40 sparse entries in rows of 10.
//   l dense lines: dense phase ceil(16/l)+1, each sparse phase ceil(40/(8-l))+1; SDDMM + SpMM:
//   l=1: max(17,7)*2 = 34   l=2: max(9,8)*2 = 18   l=3: max(7,9)*2 = 18   l=4: max(5,11)*2 = 22
//   2 and 3 tie; ViTCoD's proportional split is 8*16/56 = 2.29: 2 lines.
// Head B: 16 queries, 4 global columns (64 dense entries), 8 sparse entries in rows of 4.
//   l=5: 4*ceil(16/5)+1 = 17 -> 34   l=6: max(13, 5)*2 = 26   l=7: max(13, 9)*2 = 26; proportional 7.1: 7.
// Head C: 8 queries, 1 global column, 40 sparse entries. Proportional: 8*8/48 = 1.33, 1 line:
//   l=1: max(9, ceil(40/7)+1 = 7)*2 = 18   l=2: max(5, 8)*2 = 16   l=3: max(4, 9)*2 = 18: 2 lines, faster.
// One split for both heads (the old rule, by the layer's work: 8*80/128 = 5 lines) costs head A
// max(5, ceil(40/3)+1 = 15)*2 = 30 cycles.
TEST(EngineLineSplit, EachHeadGetsItsFastestSplitWorkedOutByHand) {
  const HeadPolarization a = head(16, 1, {10, 10, 10, 10}), b = head(16, 4, {4, 4});
  EXPECT_EQ(engine_dense_lines(a, {8, 8, 8, 0}), 2);
  EXPECT_EQ(engine_phase_cycles(a, 2, {8, 8, 8, 0}), 18u);
  EXPECT_EQ(engine_phase_cycles(a, 3, {8, 8, 8, 0}), 18u);
  EXPECT_EQ(engine_phase_cycles(a, 5, {8, 8, 8, 0}), 30u);
  EXPECT_EQ(engine_dense_lines(b, {8, 8, 8, 0}), 7);
  EXPECT_EQ(engine_phase_cycles(b, 7, {8, 8, 8, 0}), 26u);
  EXPECT_EQ(engine_phase_cycles(b, 5, {8, 8, 8, 0}), 34u);
  const HeadPolarization c = head(8, 1, {10, 10, 10, 10});
  EXPECT_EQ(engine_dense_lines(c, {8, 8, 8, 0}), 2);
  EXPECT_EQ(engine_phase_cycles(c, 1, {8, 8, 8, 0}), 18u);
  EXPECT_EQ(engine_phase_cycles(c, 2, {8, 8, 8, 0}), 16u);
}

// A gather port serving 2 line-beats per cycle (docs/sparse-attention.md): head A's sparser phases take
// max(ceil(40 / (8 - l)), ceil(40 / 2)) + 1 = 21 cycles for l <= 6 dense lines, so every l in 1..6 costs
// max(dense, 21) * 2 = 42 (l = 1: dense 17); l = 7 leaves one sparse line: 41 * 2. Ties: nearest 2.29.
TEST(EngineLineSplit, ANarrowGatherPortBoundsTheSparserEngine) {
  const HeadPolarization a = head(16, 1, {10, 10, 10, 10});
  EXPECT_EQ(engine_phase_cycles(a, 2, {8, 8, 8, 2}), 42u);
  EXPECT_EQ(engine_phase_cycles(a, 6, {8, 8, 8, 2}), 42u);
  EXPECT_EQ(engine_phase_cycles(a, 7, {8, 8, 8, 2}), 82u);
  EXPECT_EQ(engine_dense_lines(a, {8, 8, 8, 2}), 2);
  // A port as wide as the sparser engine changes nothing: 18 cycles, as without a port.
  EXPECT_EQ(engine_phase_cycles(a, 2, {8, 8, 8, 6}), 18u);
}

// An engine without work gets no line; the other gets them all, and never fewer than one line when it has
// work.
TEST(EngineLineSplit, AnEngineWithoutWorkGetsNoLine) {
  EXPECT_EQ(engine_dense_lines(head(16, 0, {5, 5}), {8, 8, 8, 0}), 0);
  EXPECT_EQ(engine_dense_lines(head(16, 3, {}), {8, 8, 8, 0}), 8);
  // 16 x 16 dense entries against one sparse entry: the sparser engine still keeps a line (7 dense lines:
  // 16*ceil(16/7)+1 = 49 cycles per phase).
  EXPECT_EQ(engine_dense_lines(head(16, 16, {1}), {8, 8, 8, 0}), 7);
  EXPECT_EQ(engine_phase_cycles(head(16, 16, {1}), 7, {8, 8, 8, 0}), 98u);
  // Two lines: one each.
  EXPECT_EQ(engine_dense_lines(head(16, 1, {10, 10}), {2, 8, 8, 0}), 1);
}

}  // namespace
}  // namespace cosim
