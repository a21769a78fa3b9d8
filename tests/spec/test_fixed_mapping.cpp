// The fixed mapping: every tile fits its buffers twice over (double buffering), the tiles add up to the
// layer's work, and a layer that fits no tile is refused naming the resource.
#include <gtest/gtest.h>

#include "mapper/fixed_mapping.hpp"
#include "model/fold_timing.hpp"
#include "support/test_files.hpp"

namespace cosim {
namespace {

using test::arch_with;
using test::source_path;

void check_plans(const Network& net, const ArchSpec& arch) {
  const auto plans = fixed_mapping(net, arch);
  // Every working layer has a plan, or one per pass of a dense attention run head group by head group; the
  // passes cover its groups once, in order.
  std::vector<uint64_t> work(net.layers.size(), 0);
  std::vector<int64_t> groups_done(net.layers.size(), 0);
  std::vector<bool> on_engine(net.layers.size(), false);
  for (size_t i = 0; i < plans.size(); ++i) {
    const LayerPlan& p = plans[i];
    const Layer& l = net.layers[size_t(p.layer)];
    SCOPED_TRACE(plan_name(l.name, p, 1));
    work[size_t(p.layer)] += p.actions.macs;
    // Every byte moved at DRAM and the global buffer belongs to a tensor.
    EXPECT_DOUBLE_EQ(p.actions.dram_by_tensor.total(), p.actions.dram_bytes);
    EXPECT_DOUBLE_EQ(p.actions.glb_by_tensor.total(), p.actions.glb_bytes);
    on_engine[size_t(p.layer)] = p.unit == arch.sparse_engine_index();
    if (p.pass_groups > 0) {
      EXPECT_EQ(p.pass_first, groups_done[size_t(p.layer)]);
      groups_done[size_t(p.layer)] += p.pass_groups;
    }
    for (int d : p.deps) EXPECT_LT(size_t(d), i);
    ASSERT_FALSE(p.tiles.empty());
    uint64_t compute = 0;
    for (const TileStep& t : p.tiles) compute += t.compute_cycles - t.compute_overlap;  // busy (pipelined)
    EXPECT_EQ(compute, p.actions.compute_cycles);
    if (p.unit == arch.sparse_engine_index()) {
      // Sparse attention: one tile per head, work at least the kept scores' dot products.
      ASSERT_TRUE(l.attention && l.attention->mask);
      EXPECT_EQ(p.tiles.size(), size_t(l.attention->heads * net.batch));
      const AttentionInfo& a = *l.attention;
      uint64_t kept = 0;
      for (int h = 0; h < int(a.heads); ++h) {
        const uint8_t* m = a.mask->head(a.mask_layer, h);
        for (int64_t e = 0; e < a.tokens * a.tokens; ++e) kept += m[e] == 0;
      }
      EXPECT_GE(p.actions.macs, kept * uint64_t(a.head_dim) * uint64_t(net.batch));
    } else if (l.work == WorkKind::Gemm) {
      const ChunkSpec& c = arch.chunks[size_t(p.unit)];
      EXPECT_EQ(c.op, l.op);
      const Mapping& m = p.mapping;
      EXPECT_LE(2 * bytes_of(uint64_t(m.tile_m * m.tile_k), l.act_bits), c.input_buffer);
      EXPECT_LE(2 * bytes_of(uint64_t(m.tile_k * m.tile_n), l.b_is_weight ? l.weight_bits : l.act_bits),
                c.weight_buffer);
      EXPECT_LE(2 * bytes_of(uint64_t(m.tile_m * m.tile_n), c.pe.acc_bits), c.output_buffer);
      // Compute cycles are at least the ideal: MACs spread over every PE.
      EXPECT_GE(double(p.actions.compute_cycles) * c.pes(), double(p.actions.macs));
    } else {
      EXPECT_EQ(p.unit, arch.vector_unit_index());
    }
  }
  for (size_t i = 1; i < net.layers.size(); ++i) {
    const Layer& l = net.layers[i];
    SCOPED_TRACE(l.name);
    if (groups_done[i] > 0) {
      EXPECT_EQ(groups_done[i],
                l.part == AttentionPart::Softmax ? net.layers[i - 1].gemm.groups : l.gemm.groups);
    }
    if (l.work == WorkKind::Gemm) {
      EXPECT_TRUE(on_engine[i] || work[i] == l.macs()) << work[i] << " MACs";
    } else if (l.type == "attention.softmax" && l.attention->mask && arch.sparse_attention) {
      EXPECT_LT(work[i], l.vector_elements);  // only the kept scores
    } else if (l.work == WorkKind::Vector) {
      EXPECT_EQ(work[i], l.vector_elements);
    }
  }
}

TEST(FixedMapping, EveryWorkloadFitsEveryPresetThatRunsIt) {
  for (const char* w :
       {"vit", "deit_tiny", "deit_base", "deit_small_dense", "mobilenetv2_cifar", "resnet20_hybrid"}) {
    for (const char* a : {"default", "systolic32", "eyeriss_like", "vitcod_like"}) {
      SCOPED_TRACE(std::string(w) + " on " + a);
      Network net = read_network(source_path(std::string("workloads/") + w + ".json"));
      ArchSpec arch = read_arch(source_path(std::string("arch/") + a + ".json"));
      bool supported = true;
      for (const Layer& l : net.layers)
        supported &= l.work != WorkKind::Gemm || arch.chunk_for(l.op) != nullptr;
      if (!supported) {
        EXPECT_THROW(fixed_mapping(net, arch), InputError);
        continue;
      }
      check_plans(net, arch);
    }
  }
}

TEST(FixedMapping, ChunkTooSmallForAnyTileNamesItsBuffers) {
  ArchSpec tiny = arch_with("arch/default.json", [](auto& j) { j["chunks"][0]["buffers"]["input"] = "1 B"; });
  Network net = read_network(source_path("workloads/vit.json"));
  try {
    fixed_mapping(net, tiny);
    FAIL();
  } catch (const InputError& e) {
    EXPECT_EQ(e.file(), source_path("arch/default.json"));
    EXPECT_EQ(e.path(), "/chunks/0/buffers/input");  // the one too small
    EXPECT_NE(e.problem().find("cannot hold any tile of layer \"patch_embed\""), std::string::npos)
        << e.what();
  }
}

TEST(FixedMapping, AWorkloadTooLargeToSimulateIsRefusedNotRunForHours) {
  Network huge = test::network_with("workloads/vit.json", [](auto& j) { j["batch"] = 1000000; });
  try {
    fixed_mapping(huge, read_arch(source_path("arch/default.json")));
    FAIL();
  } catch (const InputError& e) {
    EXPECT_EQ(e.path(), "/layers/0");
    EXPECT_NE(e.problem().find("tiles on chunk \"mac\", more than the 1000000"), std::string::npos)
        << e.what();
  }
}

TEST(FixedMapping, VectorUnitTooSmallForARowNamesItsBuffer) {
  ArchSpec tiny = arch_with("arch/default.json", [](auto& j) { j["vector_unit"]["buffer"] = "256 B"; });
  Network net = read_network(source_path("workloads/vit.json"));
  try {
    fixed_mapping(net, tiny);
    FAIL();
  } catch (const InputError& e) {
    EXPECT_EQ(e.path(), "/vector_unit/buffer");
    EXPECT_NE(e.problem().find("cannot hold one row of 384 elements"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace cosim
