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
    for (int trial = 0; trial < 8; ++trial) {
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
    EXPECT_GT(pruned, 12) << "the bound should spare most exact costings";
  }
}

// A constructed tie: on a 1x1x1 layer and on a 16x16x16 layer of a 16x16 array every dataflow and loop order
// costs the same cycles and energy (a fold of 2 resp. 62 cycles; equal reads and writes), and only the
// whole-layer tile is best. The documented tie-break gives the mapping listed first: the chunk's first
// dataflow, n outside.
TEST(MappingSearch, TiesGoToTheFirstListedDataflowAndNOutside) {
  using D = Dataflow;
  for (const std::vector<D>& order :
       std::vector<std::vector<D>>{{D::WeightStationary, D::InputStationary, D::OutputStationary},
                                   {D::InputStationary, D::OutputStationary, D::WeightStationary}}) {
    const ArchSpec arch = test::arch_with("arch/default.json", [&](auto& j) {
      j["chunks"][0]["dataflows"] = nlohmann::json::array();
      for (D d : order) j["chunks"][0]["dataflows"].push_back(to_string(d));
    });
    const LayerCostModel model(arch);
    for (int64_t side : {1, 16}) {
      GemmProblem p;
      p.m = p.k = p.n = side;
      for (Objective o : {Objective::Latency, Objective::Energy, Objective::Edp}) {
        const GemmChoice c = search_gemm(model, 0, p, o);
        ASSERT_TRUE(c.found);
        EXPECT_EQ(c.tiling.dataflow, order.front()) << side << " " << to_string(o);
        EXPECT_TRUE(c.tiling.n_outer) << side << " " << to_string(o);
        EXPECT_EQ(c.tiling.mt, side);
        EXPECT_EQ(c.tiling.kt, side);
        EXPECT_EQ(c.tiling.nt, side);
        // The tie is real: the other dataflows cost exactly the same.
        for (D d : order) {
          const GemmTiling t{d, side, side, side, false};
          EXPECT_EQ(model.gemm(0, p, t, gemm_cost(arch, p, t)).value(o), c.cost.value(o));
        }
      }
    }
  }
}

// Every legal tiling (every Mt, Kt, Nt from 1 to the layer's size, every dataflow the chunk lists, both loop
// orders, each with the global-buffer tilings the mapping space lists for it) costed exactly: the optimum the
// search must find, for each objective.
struct Optimum {
  double value[3] = {0, 0, 0};
  GemmTiling tiling[3];
  bool found = false;
};

Optimum every_tiling_optimum(const LayerCostModel& model, int unit, const GemmProblem& p) {
  const ChunkSpec& c = model.arch().chunks[size_t(unit)];
  Optimum best;
  for (Dataflow d : c.dataflows) {
    for (bool n_outer : {true, false}) {
      for (int64_t mt = 1; mt <= p.m; ++mt) {
        for (int64_t kt = 1; kt <= p.k; ++kt) {
          for (int64_t nt = 1; nt <= p.n; ++nt) {
            std::vector<GemmTiling> with_glb;
            glb_tilings(p, GemmTiling{d, mt, kt, nt, n_outer}, with_glb);
            for (const GemmTiling& t : with_glb) {
              if (!gemm_tiling_fits(p, c, t)) continue;
              const LayerCost cost = model.gemm(unit, p, t, gemm_cost(model.arch(), p, t));
              for (Objective o : {Objective::Latency, Objective::Energy, Objective::Edp}) {
                double& v = best.value[int(o)];
                if (!best.found || cost.value(o) < v) v = cost.value(o), best.tiling[int(o)] = t;
              }
              best.found = true;
            }
          }
        }
      }
    }
  }
  return best;
}

// Layers up to 24 in each dimension (below kEveryTileUpTo, where the search tries every tile size), 1-3
// groups, tensors randomly in DRAM or the global buffer, on buffers of 16-640 B and of 1 KiB.
TEST(MappingSearch, FindsTheOptimumOfEveryLegalTilingOnSmallLayersAndBuffers) {
  std::mt19937_64 rng(7);
  int cases = 0, differ = 0;
  for (const char* buffers : {"small", "1 KiB"}) {
    for (int trial = 0; trial < 20; ++trial) {
      const std::string b = buffers;
      const int64_t in = b == "small" ? test::uniform(rng, 16, 160) : 1024;
      const int64_t w = b == "small" ? test::uniform(rng, 16, 160) : 1024;
      const int64_t out = b == "small" ? test::uniform(rng, 64, 640) : 1024;
      const ArchSpec arch = test::arch_with("arch/default.json", [&](auto& j) {
        for (auto& c : j["chunks"]) {
          c["buffers"]["input"] = std::to_string(in) + " B";
          c["buffers"]["weight"] = std::to_string(w) + " B";
          c["buffers"]["output"] = std::to_string(out) + " B";
        }
      });
      const LayerCostModel model(arch);
      const int unit = trial % 3;
      const GemmProblem p = test::random_gemm(rng, arch.chunks[size_t(unit)], 24);
      const Optimum all = every_tiling_optimum(model, unit, p);
      if (!all.found) continue;
      ++cases;
      for (Objective o : {Objective::Latency, Objective::Energy, Objective::Edp}) {
        const GemmChoice c = search_gemm(model, unit, p, o);
        ASSERT_TRUE(c.found);
        const double want = all.value[int(o)], got = c.cost.value(o);
        differ += got != want;
        EXPECT_EQ(got, want) << buffers << " trial " << trial << " " << to_string(o)
                             << ": g m k n = " << p.groups << " " << p.m << " " << p.k << " " << p.n
                             << "; search " << c.tiling.mt << " " << c.tiling.kt << " " << c.tiling.nt << " "
                             << to_string(c.tiling.dataflow) << " best " << all.tiling[int(o)].mt << " "
                             << all.tiling[int(o)].kt << " " << all.tiling[int(o)].nt << " "
                             << to_string(all.tiling[int(o)].dataflow) << " " << all.tiling[int(o)].n_outer
                             << " by " << (got - want) / want;
      }
    }
  }
  EXPECT_GT(cases, 30);
  EXPECT_EQ(differ, 0) << "of " << cases << " layers x 3 objectives";
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

// The cache is keyed by the architecture's content: the same preset read twice (two objects) shares it and
// reuses every layer; the same preset with one buffer changed is another architecture and is refused.
TEST(MappingSearch, CacheIsKeyedByTheArchitecturesContent) {
  const Network net = read_network(source_path("workloads/resnet20_hybrid.json"));
  const ArchSpec a = read_arch(source_path("arch/default.json")),
                 b = read_arch(source_path("arch/default.json"));
  MappingCache cache;
  const AutoMapping first = auto_mapping(net, a, Objective::Edp, nullptr, &cache);
  const uint64_t misses = cache.misses;
  const AutoMapping second = auto_mapping(net, b, Objective::Edp, nullptr, &cache);
  EXPECT_EQ(cache.misses, misses) << "nothing searched again";
  ASSERT_EQ(first.plans.size(), second.plans.size());
  for (size_t i = 0; i < first.plans.size(); ++i)
    EXPECT_EQ(first.plans[i].mapping.tile_k, second.plans[i].mapping.tile_k);
  ArchSpec c = b;
  c.chunks[0].weight_buffer /= 2;
  EXPECT_THROW(auto_mapping(net, c, Objective::Edp, nullptr, &cache), std::logic_error);
  EXPECT_NE(a.fingerprint(), c.fingerprint());
  EXPECT_EQ(a.fingerprint(), b.fingerprint());
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
