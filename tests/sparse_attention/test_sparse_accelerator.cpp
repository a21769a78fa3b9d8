// The sparse-attention engine in the accelerator model: at 90% sparsity attention is faster and cheaper than
// dense attention on the same hardware, and each ablation switch moves the figures the way its idea predicts.
// All simulators of a test are built before the first run (one SystemC elaboration per process).
#include <gtest/gtest.h>

#include "flow/network_simulator.hpp"
#include "support/test_files.hpp"

namespace cosim {
namespace {

using test::arch_with;
using test::source_path;

struct AttentionTotals {
  uint64_t cycles = 0;  // sum of the spans of the attention layers (qk, softmax, sv)
  double energy = 0, dram = 0;
  uint64_t macs = 0, bytes_moved = 0, index_bytes = 0, heads = 0;
};

AttentionTotals attention(const RunReport& r) {
  AttentionTotals t;
  for (const auto& l : r.layers) {
    if (l.type.rfind("attention.", 0) != 0) continue;
    t.cycles += l.cycles;
    t.energy += l.energy.total();
    t.dram += l.energy.dram;
    t.macs += l.macs;
    if (!l.attention) continue;
    for (const auto& h : l.attention->heads) {
      t.bytes_moved += h.bytes_moved;
      t.index_bytes += h.index_bytes;
      ++t.heads;
    }
  }
  return t;
}

ArchSpec variant(void (*edit)(nlohmann::json&)) {
  return arch_with("arch/default.json", edit);
}

class SparseEngine : public testing::Test {
 protected:
  NetworkSimulator base{variant([](auto&) {}), "base"};
  NetworkSimulator no_polarize{variant([](auto& j) { j["sparse_attention"]["polarize"] = false; }),
                               "no_polarize"};
  NetworkSimulator no_encoder{variant([](auto& j) { j["sparse_attention"]["encoder"]["enabled"] = false; }),
                              "no_encoder"};
  // A global buffer too small for DeiT-Small's q, k, v tensor (226 KB plain): it lives in DRAM.
  NetworkSimulator small_glb{variant([](auto& j) { j["global_buffer"]["size"] = "96 KiB"; }), "small_glb"};
  NetworkSimulator small_glb_no_encoder{variant([](auto& j) {
                                          j["global_buffer"]["size"] = "96 KiB";
                                          j["sparse_attention"]["encoder"]["enabled"] = false;
                                        }),
                                        "small_glb_no_encoder"};
  NetworkSimulator dense{[] {
                           ArchSpec a = read_arch(source_path("arch/default.json"));
                           a.sparse_attention->use = false;
                           return a;
                         }(),
                         "dense"};
  Network vit = read_network(source_path("workloads/vit.json"));
};

TEST_F(SparseEngine, NinetyPercentSparseAttentionIsFasterAndCheaperThanDense) {
  const AttentionTotals s = attention(base.run(vit)), d = attention(dense.run(vit));
  EXPECT_EQ(s.heads, 12u * 6);  // every head of every layer simulated
  EXPECT_LT(s.cycles, d.cycles);
  EXPECT_LT(s.energy, d.energy);
  EXPECT_LT(s.macs, d.macs);
}

TEST_F(SparseEngine, DenseAblationIsTheFoundationsDenseAttention) {
  const RunReport ablated = dense.run(vit);
  const RunReport plain = dense.run(read_network(source_path("workloads/deit_small_dense.json")));
  EXPECT_EQ(ablated.total_cycles, plain.total_cycles);
  EXPECT_DOUBLE_EQ(ablated.energy_pJ, plain.energy_pJ);
  for (const auto& l : ablated.layers) EXPECT_EQ(l.attention, nullptr);
}

TEST_F(SparseEngine, PolarizationSavesIndexTrafficAndEnergy) {
  const AttentionTotals on = attention(base.run(vit)), off = attention(no_polarize.run(vit));
  EXPECT_LT(on.index_bytes, off.index_bytes);
  EXPECT_LT(on.bytes_moved, off.bytes_moved);
  EXPECT_LT(on.energy, off.energy);
}

TEST_F(SparseEngine, EncoderTradesComputeForDataMovement) {
  const AttentionTotals on = attention(base.run(vit)), off = attention(no_encoder.run(vit));
  EXPECT_GT(on.macs, off.macs);  // encoder and decoder work
  EXPECT_LT(on.bytes_moved, off.bytes_moved);
  // Where q, k, v live in DRAM the saved bytes are DRAM bytes, and they outweigh the encoder's work.
  const AttentionTotals dram_on = attention(small_glb.run(vit)),
                        dram_off = attention(small_glb_no_encoder.run(vit));
  EXPECT_LT(dram_on.dram, dram_off.dram);
  EXPECT_LT(dram_on.energy, dram_off.energy);
}

TEST_F(SparseEngine, PerHeadFiguresAddUpToTheLayers) {
  const RunReport r = base.run(vit);
  for (size_t i = 0; i < r.layers.size(); ++i) {
    const LayerReport& l = r.layers[i];
    if (!l.attention) continue;
    SCOPED_TRACE(l.name);
    ASSERT_EQ(l.attention->heads.size(), 6u);
    ASSERT_EQ(l.head_energy.size(), 6u);
    const LayerReport& sv = r.layers[i + 2];
    ASSERT_EQ(sv.type, "attention.sv");
    uint64_t cycles = 0;
    double energy = 0;
    for (size_t h = 0; h < 6; ++h) {
      cycles += l.attention->heads[h].cycles;
      energy += l.head_energy[h].total();
      EXPECT_NEAR(l.attention->heads[h].sparsity, 0.9, 0.001);
      EXPECT_GE(l.attention->heads[h].global_tokens, 10);
    }
    EXPECT_EQ(cycles, l.compute_cycles + sv.compute_cycles);
    EXPECT_NEAR(energy, l.energy.total() + sv.energy.total(), 1e-6 * energy);
    for (const AttentionHeadStats& h : l.attention->heads) EXPECT_EQ(h.lines_dense + h.lines_sparse, 64);
  }
}

}  // namespace
}  // namespace cosim
