// The mapping search: branch and bound finds exactly what costing every mapping finds; the auto-mapper never
// maps a layer worse than the fixed mapping; a layer that fits nothing names the resource.
#include <gtest/gtest.h>

#include <random>

#include "mapper/auto_mapping.hpp"
#include "mapper/fixed_mapping.hpp"
#include "mapper/mapping_search.hpp"
#include "mapper/random_gemm.hpp"
#include "spec/input_error.hpp"
#include "support/test_files.hpp"

namespace cosim {
namespace {

using test::source_path;

TEST(MappingSearch, EqualsBruteForceOnSmallLayers) {
  for (const char* file : {"arch/default.json", "arch/eyeriss_like.json"}) {
    const ArchSpec arch = read_arch(source_path(file));
    const LayerCostModel model(arch);
    std::mt19937_64 rng(42);
    int pruned = 0;
    for (int trial = 0; trial < 30; ++trial) {
      const int unit = trial % int(arch.chunks.size());
      const GemmProblem p = test::random_gemm(rng, arch.chunks[size_t(unit)], 40);
      for (Objective o : {Objective::Latency, Objective::Energy, Objective::Edp}) {
        const GemmChoice fast = search_gemm(model, unit, p, o);
        const GemmChoice all = search_gemm(model, unit, p, o, {}, true);
        ASSERT_TRUE(all.found);
        ASSERT_TRUE(fast.found);
        EXPECT_EQ(all.stats.simulated, all.stats.considered);
        EXPECT_EQ(fast.stats.considered, all.stats.considered);
        EXPECT_EQ(fast.cost.value(o), all.cost.value(o)) << file << " trial " << trial << " " << to_string(o);
        EXPECT_EQ(fast.tiling.mt, all.tiling.mt);
        EXPECT_EQ(fast.tiling.kt, all.tiling.kt);
        EXPECT_EQ(fast.tiling.nt, all.tiling.nt);
        EXPECT_EQ(fast.tiling.dataflow, all.tiling.dataflow);
        EXPECT_EQ(fast.tiling.n_outer, all.tiling.n_outer);
        pruned += fast.stats.simulated < all.stats.simulated;
      }
    }
    EXPECT_GT(pruned, 45) << "the bound should spare most exact costings";
  }
}

TEST(MappingSearch, CandidatesIncludeWholeDimensionArrayMultiplesAndDivisors) {
  const std::vector<int64_t> v = tile_candidates(197, 16);
  for (int64_t x : {197, 99, 16, 32, 64, 128, 25}) {
    EXPECT_NE(std::find(v.begin(), v.end(), x), v.end()) << x;
  }
  EXPECT_TRUE(std::is_sorted(v.rbegin(), v.rend()));
  EXPECT_EQ(tile_candidates(1, 16), std::vector<int64_t>{1});
}

class NeverWorse : public ::testing::TestWithParam<Objective> {};

TEST_P(NeverWorse, AutoMappingOfEveryLayerIsNoWorseThanFixed) {
  const Objective o = GetParam();
  for (const char* w :
       {"workloads/vit.json", "workloads/resnet20_hybrid.json", "workloads/deit_small_dense.json"}) {
    const ArchSpec arch = read_arch(source_path("arch/default.json"));
    const Network net = read_network(source_path(w));
    const AutoMapping m = auto_mapping(net, arch, o);
    const std::vector<LayerPlan> fixed = fixed_mapping(net, arch);
    ASSERT_EQ(m.plans.size(), fixed.size());
    const LayerCostModel model(arch);
    int better = 0;
    for (size_t i = 0; i < fixed.size(); ++i) {
      const Layer& l = net.layers[size_t(fixed[i].layer)];
      ASSERT_EQ(m.plans[i].layer, fixed[i].layer);
      // Both costed by the same exact model, from the plans as the simulator receives them.
      const double mine = model.plan(m.plans[i], l.vector_op).value(o);
      const double base = model.plan(fixed[i], l.vector_op).value(o);
      EXPECT_LE(mine, base) << w << " layer " << l.name;
      EXPECT_EQ(mine, m.records[i].cost.value(o)) << l.name;
      better += mine < base;
    }
    EXPECT_GT(better, 0) << w << ": the search should improve on some layer";
  }
}

INSTANTIATE_TEST_SUITE_P(Objectives, NeverWorse,
                         ::testing::Values(Objective::Latency, Objective::Energy, Objective::Edp),
                         [](const auto& info) { return std::string(to_string(info.param)); });

TEST(MappingSearch, IdenticalLayersAreSearchedOnce) {
  const ArchSpec arch = read_arch(source_path("arch/default.json"));
  const Network net = read_network(source_path("workloads/deit_small_dense.json"));
  const AutoMapping m = auto_mapping(net, arch, Objective::Latency);
  int searched = 0, reused = 0;
  for (const LayerMappingRecord& r : m.records) searched += r.stats.considered > 0, reused += r.reused;
  EXPECT_GT(reused, 5 * searched / 2) << "12 identical blocks";
}

TEST(MappingSearch, LayerFittingNoMappingNamesTheLayerAndTheBuffer) {
  const ArchSpec tiny =
      test::arch_with("arch/default.json", [](auto& j) { j["chunks"][0]["buffers"]["weight"] = "1 B"; });
  const Network net = read_network(source_path("workloads/vit.json"));
  try {
    auto_mapping(net, tiny, Objective::Latency);
    FAIL();
  } catch (const InputError& e) {
    EXPECT_EQ(e.path(), "/chunks/0/buffers/weight");
    EXPECT_NE(e.problem().find("layer \"patch_embed\""), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace cosim
