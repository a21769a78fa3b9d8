// Polarization against counts made here, independently of the mapper, from the raw bytes of the real mask.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "mapper/polarization.hpp"
#include "spec/arch_spec.hpp"
#include "spec/attention_mask.hpp"
#include "support/shared_data.hpp"
#include "support/test_files.hpp"

namespace cosim {
namespace {

// The data of a v1 .npy file: after the 10-byte prefix and the header whose length is at bytes 8-9.
std::string raw_npy_data(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  const std::string b = s.str();
  const size_t header = size_t(uint8_t(b[8])) | size_t(uint8_t(b[9])) << 8;
  return b.substr(10 + header);
}

TEST(Polarization, GlobalTokensOfTheRealMaskFollowTheRule) {
  COSIM_REQUIRE_VITCOD_MASK();
  const std::string raw = raw_npy_data(test::vitcod_mask_path());
  ASSERT_EQ(raw.size(), 12u * 3 * 197 * 197);
  auto mask = load_npy_mask(test::vitcod_mask_path());
  for (int l = 0; l < 12; ++l) {
    for (int h = 0; h < 3; ++h) {
      const char* m = raw.data() + (size_t(l) * 3 + size_t(h)) * 197 * 197;
      int global = 0;
      uint64_t kept = 0, kept_in_global = 0;
      for (int k = 0; k < 197; ++k) {
        int col = 0;
        for (int q = 0; q < 197; ++q) col += m[q * 197 + k] == 0;
        kept += uint64_t(col);
        if (col > 50) {
          ++global;
          kept_in_global += uint64_t(col);
        }
      }
      const HeadPolarization p = polarize(mask->head(l, h), 197, 50, true);
      EXPECT_EQ(p.global_tokens, global) << "layer " << l << " head " << h;
      EXPECT_EQ(p.kept, kept);
      EXPECT_EQ(p.dense_kept, kept_in_global);
      EXPECT_EQ(p.dense_entries, uint64_t(197) * uint64_t(global));
      EXPECT_EQ(p.sparse_entries, kept - kept_in_global);
      const HeadPolarization off = polarize(mask->head(l, h), 197, 50, false);
      EXPECT_EQ(off.global_tokens, 0);
      EXPECT_EQ(off.sparse_entries, kept);
      EXPECT_GE(off.index_bytes, p.index_bytes);
      if (global > 0) {
        EXPECT_GT(off.index_bytes, p.index_bytes);
      }
    }
  }
}

// ViTCoD's rule with the presets' threshold: a key column is global when more than 50 queries keep it. A
// column kept by 51 of 64 queries is global, one kept by exactly 50 is not.
TEST(Polarization, PresetThresholdIsViTCoDsFiftyExclusive) {
  for (const char* preset : {"arch/default.json", "arch/vitcod_like.json"}) {
    const ArchSpec a = read_arch(test::source_path(preset));
    ASSERT_TRUE(a.sparse_attention.has_value());
    const int n = 64;
    std::vector<uint8_t> pruned(size_t(n) * n, 1);
    for (int q = 0; q < 51; ++q) pruned[size_t(q) * n + 3] = 0;  // column 3: 51 kept
    for (int q = 0; q < 50; ++q) pruned[size_t(q) * n + 7] = 0;  // column 7: 50 kept
    const HeadPolarization p = polarize(pruned.data(), n, a.sparse_attention->global_threshold, true);
    EXPECT_EQ(p.global_tokens, 1) << preset;
    EXPECT_EQ(p.dense_kept, 51u) << preset;
    EXPECT_EQ(p.sparse_entries, 50u) << preset;
  }
}

TEST(Polarization, CscIndexSize) {
  // 197 rows need 8-bit row indices; 16-bit column pointers.
  EXPECT_EQ(csc_index_bytes(197, 196, 1000), uint64_t((197 * 16 + 1000 * 8) / 8));
  EXPECT_EQ(csc_index_bytes(197, 196, 0), 0u);
  EXPECT_EQ(csc_index_bytes(300, 10, 4), uint64_t((11 * 16 + 4 * 9 + 7) / 8));
}

}  // namespace
}  // namespace cosim
