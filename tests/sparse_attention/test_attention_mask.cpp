// Attention masks: the .npy reader on the real ViTCoD mask and on every kind of bad file, and the seeded
// generator's guarantees.
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>

#include <unistd.h>

#include "spec/attention_mask.hpp"
#include "spec/input_error.hpp"
#include "support/shared_data.hpp"

namespace cosim {
namespace {

// Writes an .npy file with the given header dict and `data_bytes` bytes of data (pattern 0/1).
std::string npy(const std::string& name, const std::string& dict, size_t data_bytes, int version = 1) {
  std::string header = dict;
  const size_t prefix = version == 1 ? 10 : 12;
  while ((prefix + header.size() + 1) % 64) header += ' ';
  header += '\n';
  std::string out = "\x93NUMPY";
  out += char(version);
  out += char(0);
  if (version == 1) {
    out += char(header.size() & 0xff);
    out += char(header.size() >> 8);
  } else {
    for (int i = 0; i < 4; ++i) out += char((header.size() >> (8 * i)) & 0xff);
  }
  out += header;
  for (size_t i = 0; i < data_bytes; ++i) out += char(i % 3 == 0);
  const std::string path = testing::TempDir() + "cosim_mask_" + std::to_string(::getpid()) + "_" + name;
  std::ofstream(path, std::ios::binary) << out;
  return path;
}

std::string refusal(const std::string& path) {
  try {
    load_npy_mask(path);
  } catch (const InputError& e) {
    EXPECT_EQ(e.file(), path);
    return e.problem();
  }
  ADD_FAILURE() << path << " was accepted";
  return "";
}

TEST(NpyMask, ReadsBoolAndUint8InVersions1And2) {
  auto a = load_npy_mask(
      npy("ok_b1.npy", "{'descr': '|b1', 'fortran_order': False, 'shape': (2, 3, 5, 5), }", 150));
  EXPECT_EQ(a->layers, 2);
  EXPECT_EQ(a->heads, 3);
  EXPECT_EQ(a->n, 5);
  EXPECT_EQ(a->pruned.size(), 150u);
  EXPECT_EQ(a->head(1, 2)[0], (125 + 0) % 3 == 0);  // byte 125 of the pattern
  auto b = load_npy_mask(
      npy("ok_u1.npy", "{'descr': '|u1', 'fortran_order': False, 'shape': (1, 1, 4, 4), }", 16, 2));
  EXPECT_EQ(b->n, 4);
}

TEST(NpyMask, RefusesEachKindOfBadFile) {
  const std::string not_npy =
      testing::TempDir() + "cosim_mask_" + std::to_string(::getpid()) + "_not_npy.npy";
  std::ofstream(not_npy) << "layer,head,q,k\n0,0,1,1\n";
  EXPECT_NE(refusal(not_npy).find("not an .npy file"), std::string::npos);

  EXPECT_NE(refusal(npy("f4.npy", "{'descr': '<f4', 'fortran_order': False, 'shape': (1, 1, 4, 4), }", 64))
                .find("dtype '<f4' is not bool"),
            std::string::npos);
  EXPECT_NE(refusal(npy("3d.npy", "{'descr': '|b1', 'fortran_order': False, 'shape': (3, 4, 4), }", 48))
                .find("is not (layers, heads, N, N)"),
            std::string::npos);
  EXPECT_NE(refusal(npy("rect.npy", "{'descr': '|b1', 'fortran_order': False, 'shape': (1, 1, 4, 5), }", 20))
                .find("is not (layers, heads, N, N)"),
            std::string::npos);
  EXPECT_NE(
      refusal(npy("short.npy", "{'descr': '|b1', 'fortran_order': False, 'shape': (2, 3, 5, 5), }", 149))
          .find("truncated: the shape (2, 3, 5, 5) needs 150 bytes of data, the file has 149"),
      std::string::npos);
  EXPECT_NE(refusal(npy("long.npy", "{'descr': '|b1', 'fortran_order': False, 'shape': (1, 1, 2, 2), }", 5))
                .find("1 bytes after the data"),
            std::string::npos);
  EXPECT_NE(refusal(npy("fortran.npy", "{'descr': '|b1', 'fortran_order': True, 'shape': (1, 1, 2, 2), }", 4))
                .find("Fortran order"),
            std::string::npos);
  EXPECT_NE(refusal(npy("v9.npy", "{'descr': '|b1', 'fortran_order': False, 'shape': (1, 1, 2, 2), }", 4, 9))
                .find("unsupported .npy format version 9"),
            std::string::npos);
  EXPECT_NE(refusal(testing::TempDir() + "does_not_exist.npy").find("cannot open"), std::string::npos);
}

TEST(NpyMask, RealViTCoDMaskOfDeiTTiny) {
  COSIM_REQUIRE_VITCOD_MASK();
  auto m = load_npy_mask(test::vitcod_mask_path());
  EXPECT_EQ(m->layers, 12);
  EXPECT_EQ(m->heads, 3);
  EXPECT_EQ(m->n, 197);
  size_t pruned = 0;
  for (uint8_t p : m->pruned) pruned += p;
  EXPECT_NEAR(double(pruned) / double(m->pruned.size()), 0.9467, 0.0005);
}

TEST(MaskGenerator, HitsTheTargetExactlyKeepsGlobalColumnsAndIsReproducible) {
  MaskGenerator g;
  g.sparsity = 0.9;
  g.global_tokens = 10;
  g.window = 2;
  g.seed = 7;
  auto a = generate_mask(g, 0, 6, 197);
  auto b = generate_mask(g, 0, 6, 197);
  auto c = generate_mask(g, 1, 6, 197);
  EXPECT_EQ(a->pruned, b->pruned);
  EXPECT_NE(a->pruned, c->pruned);
  const size_t target = size_t(std::llround(0.1 * 197 * 197));
  for (int h = 0; h < 6; ++h) {
    const uint8_t* m = a->head(0, h);
    size_t kept = 0;
    int full_columns = 0;
    for (int k = 0; k < 197; ++k) {
      int col = 0;
      for (int q = 0; q < 197; ++q) col += m[q * 197 + k] == 0;
      full_columns += col == 197;
      kept += size_t(col);
    }
    EXPECT_EQ(kept, target);
    EXPECT_GE(full_columns, 10);
    for (int q = 0; q < 197; ++q) EXPECT_EQ(m[q * 197 + q], 0) << "diagonal of the window";
    EXPECT_EQ(m[5 * 197 + 0], 0) << "column 0 (class token) is always global";
  }
}

TEST(MaskGenerator, RefusesASparsityTheStructureCannotReach) {
  MaskGenerator g;
  g.sparsity = 0.99;
  g.global_tokens = 10;
  EXPECT_THROW(generate_mask(g, 0, 1, 197), std::invalid_argument);
}

}  // namespace
}  // namespace cosim
