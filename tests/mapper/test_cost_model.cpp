// The mapper's cost model (mapper/layer_cost.hpp) must predict exactly what the accelerator-level SystemC
// model simulates for a layer running alone: cycles and energy, on random layers and random legal mappings of
// every chunk type, and on every plan of real networks (vector unit and sparse-attention engine included).
#include <gtest/gtest.h>

#include <random>
#include <set>

#include "flow/network_simulator.hpp"
#include "mapper/auto_mapping.hpp"
#include "mapper/fixed_mapping.hpp"
#include "mapper/layer_cost.hpp"
#include "mapper/random_gemm.hpp"
#include "model/pipeline_timing.hpp"
#include "support/test_files.hpp"

namespace cosim {
namespace {

using test::source_path;

// Memory slow enough that transfers, not compute, set the pace and loads and stores queue behind each other.
ArchSpec slow_memory_arch(bool pipelined = false) {
  return test::arch_with("arch/default.json", [&](auto& j) {
    j["dram"]["bandwidth"] = "1 GB/s";
    j["global_buffer"]["bandwidth"] = "4 B/cycle";
    for (auto& c : j["chunks"]) c["fold_pipelining"] = pipelined;
  });
}

// The default preset with every chunk's folds pipelined (within and across tiles).
ArchSpec pipelined_arch() {
  return test::arch_with("arch/default.json", [](auto& j) {
    for (auto& c : j["chunks"]) c["fold_pipelining"] = true;
  });
}

TEST(CostModel, GemmAloneEqualsSimulationOnRandomLayersAndMappings) {
  const ArchSpec fast = test::arch_with("arch/default.json", [](auto&) {});
  const ArchSpec slow = slow_memory_arch();
  const ArchSpec fast_pipelined = pipelined_arch(), slow_pipelined = slow_memory_arch(true);
  NetworkSimulator sim_fast(fast, "fast"), sim_slow(slow, "slow"), sim_fast_p(fast_pipelined, "fast_p"),
      sim_slow_p(slow_pipelined, "slow_p");
  NetworkSimulator* sims[] = {&sim_fast, &sim_slow, &sim_fast_p, &sim_slow_p};
  std::mt19937_64 rng(20261123);
  int compared = 0, memory_bound = 0, sliced = 0, overlapping = 0;
  for (int trial = 0; trial < 600; ++trial) {
    NetworkSimulator& sim = *sims[trial % 4];
    const ArchSpec& arch = sim.arch();
    const int unit = int(test::uniform(rng, 0, int64_t(arch.chunks.size()) - 1));
    const ChunkSpec& c = arch.chunks[size_t(unit)];
    const GemmProblem p = test::random_gemm(rng, c, 300);
    GemmTiling t;
    if (!test::random_tiling(rng, c, p, 3000, t)) continue;
    LayerPlan plan;
    plan.layer = 1;
    plan.unit = unit;
    materialize_gemm(arch, p, t, plan);
    const RunReport r = sim.run(test::one_gemm_network(p, c.op), {plan});
    const LayerCost predicted = LayerCostModel(arch).gemm(unit, p, t, gemm_cost(arch, p, t));
    ASSERT_EQ(predicted.cycles, r.total_cycles)
        << "trial " << trial << " chunk " << c.name << " G,M,K,N " << p.groups << "," << p.m << "," << p.k
        << "," << p.n << " tile " << t.mt << "x" << t.kt << "x" << t.nt << " " << to_string(t.dataflow) << " "
        << t.loop_order();
    ASSERT_EQ(predicted.energy_pJ, r.energy_pJ) << "trial " << trial;
    ++compared;
    if (r.total_cycles > 2 * r.units[size_t(unit)].busy_cycles) ++memory_bound;
    if (t.psums_leave(p)) ++sliced;
    overlapping += plan.tiles.size() > 1 && plan.tiles[0].compute_overlap > 0;
  }
  EXPECT_GE(overlapping, 100) << "too few pipelined layers whose tiles overlap";
  EXPECT_GE(compared, 450);
  EXPECT_GE(sliced, 40) << "too few mappings whose partial sums go to the global buffer";
  EXPECT_GE(memory_bound, 50) << "too few cases where the shared channels decide the time";
}

// Every plan of a network, run alone (its dependencies dropped): the vector unit's and the sparse engine's
// plans as well as the chunks', with the fixed and the searched mappings.
TEST(CostModel, EveryPlanOfDeitSmallAndHybridResNetAloneEqualsSimulation) {
  // Both simulators are built before either runs (SystemC elaborates once).
  const ArchSpec plain = read_arch(source_path("arch/default.json")), pipelined = pipelined_arch();
  NetworkSimulator sim_plain(plain, "plain"), sim_pipelined(pipelined, "pipelined");
  for (NetworkSimulator* sim : {&sim_plain, &sim_pipelined}) {
    const ArchSpec& arch = sim->arch();
    const LayerCostModel model(arch);
    std::set<int> units;
    int prefetching = 0, overlapping = 0;  // plans whose weights are prefetched, whose tiles overlap
    for (const char* workload : {"workloads/vit.json", "workloads/resnet20_hybrid.json"}) {
      const Network net = read_network(source_path(workload));
      std::vector<LayerPlan> plans = fixed_mapping(net, arch);
      for (LayerPlan& p : auto_mapping(net, arch, Objective::Latency).plans) plans.push_back(std::move(p));
      for (LayerPlan p : plans) {
        p.deps.clear();
        p.prefetch_after = -1;
        prefetching += p.prefetch_fetches > 0;
        overlapping += !p.tiles.empty() && p.tiles[0].compute_overlap > 0;
        const Layer& l = net.layers[size_t(p.layer)];
        const RunReport r = sim->run(net, {p});
        const LayerCost predicted = model.plan(p, l.vector_op);
        ASSERT_EQ(predicted.cycles, r.total_cycles) << workload << " " << l.name << " " << arch.name;
        ASSERT_EQ(predicted.energy_pJ, r.energy_pJ) << workload << " " << l.name << " " << arch.name;
        units.insert(p.unit);
      }
    }
    EXPECT_EQ(int(units.size()), arch.unit_count()) << "every chunk, the vector unit and the sparse engine";
    EXPECT_GT(prefetching, 0);
    if (sim == &sim_pipelined) {
      EXPECT_GT(overlapping, 20);
    }
  }
}

TEST(CostModel, EveryPlanOfHybridResNetAloneEqualsSimulationOnSlowMemory) {
  const ArchSpec arch = slow_memory_arch();
  NetworkSimulator sim(arch);
  const Network net = read_network(source_path("workloads/resnet20_hybrid.json"));
  const LayerCostModel model(arch);
  for (LayerPlan p : auto_mapping(net, arch, Objective::Energy).plans) {
    p.deps.clear();
    p.prefetch_after = -1;
    const Layer& l = net.layers[size_t(p.layer)];
    const RunReport r = sim.run(net, {p});
    ASSERT_EQ(model.plan(p, l.vector_op).cycles, r.total_cycles) << l.name;
  }
}

// Skipping through the steady state of repeated tiles gives exactly the cycles of replaying every tile, on
// layers large enough that most tiles are skipped.
TEST(CostModel, SteadyStateSkippingEqualsTileByTileReplay) {
  const ArchSpec fast = read_arch(source_path("arch/default.json"));
  const ArchSpec slow = slow_memory_arch(), fast_p = pipelined_arch(), slow_p = slow_memory_arch(true);
  const ArchSpec* archs[] = {&fast, &slow, &fast_p, &slow_p};
  std::mt19937_64 rng(99);
  uint64_t skipped = 0, tiles = 0;
  for (int trial = 0; trial < 400; ++trial) {
    const ArchSpec& arch = *archs[trial % 4];
    const ChunkSpec& c = arch.chunks[size_t(trial % 3)];
    const GemmProblem p = test::random_gemm(rng, c, 1500);
    GemmTiling t;
    if (!test::random_tiling(rng, c, p, 100000, t)) continue;
    PipelineTiming each(arch), pattern(arch);
    for_each_gemm_tile(arch, p, t, [&](const TileStep& s) { each.push(s); });
    pattern.push(gemm_pattern(arch, p, t));
    ASSERT_EQ(pattern.finish(), each.finish()) << "trial " << trial;
    EXPECT_EQ(pattern.tiles(), each.tiles());
    skipped += pattern.skipped(), tiles += pattern.tiles();
  }
  EXPECT_GT(double(skipped), 0.5 * double(tiles)) << "most tiles should be skipped";
}

TEST(CostModel, ClosedFormCountsEqualTheTilesVisited) {
  const ArchSpec plain = read_arch(source_path("arch/default.json")), pipelined = pipelined_arch();
  std::mt19937_64 rng(7);
  int sliced = 0;
  for (int trial = 0; trial < 300; ++trial) {
    const ArchSpec& arch = trial % 2 ? pipelined : plain;
    const ChunkSpec& c = arch.chunks[size_t(trial % 3)];
    const GemmProblem p = test::random_gemm(rng, c, 200);
    GemmTiling t;
    if (!test::random_tiling(rng, c, p, 5000, t)) continue;
    // Sum what the tiles move and compute, tile by tile, independently of the closed form.
    double dram = 0, glb = 0;
    uint64_t cycles = 0, tiles = 0, dram_occ = 0, glb_occ = 0;
    ChannelTiming d(arch.dram.rate, 0), g(arch.global_buffer.rate, 0);
    for_each_gemm_tile(arch, p, t, [&](const TileStep& s) {
      ++tiles;
      cycles += s.compute_cycles - s.compute_overlap;  // the unit's busy cycles
      for (const auto* list : {&s.fetches, &s.loads, &s.stores, &s.writebacks}) {
        for (const Transfer& x : *list) {
          if (x.dram) {
            dram += double(x.bytes), dram_occ += d.occupancy(x.bytes);
          } else {
            glb += double(x.bytes), glb_occ += g.occupancy(x.bytes);
          }
        }
      }
    });
    const GemmCost cost = gemm_cost(arch, p, t);
    EXPECT_EQ(cost.tiles, tiles);
    // The pattern the cost model replays holds the same tiles in the same order.
    std::vector<TileStep> visited, expanded;
    for_each_gemm_tile(arch, p, t, [&](const TileStep& s) { visited.push_back(s); });
    const TilePattern pattern = gemm_pattern(arch, p, t);
    pattern.expand(expanded);
    EXPECT_EQ(pattern.tiles(), tiles);
    ASSERT_EQ(expanded.size(), visited.size());
    for (size_t i = 0; i < visited.size(); ++i) {
      ASSERT_EQ(expanded[i].compute_cycles, visited[i].compute_cycles) << "tile " << i;
      ASSERT_EQ(expanded[i].compute_overlap, visited[i].compute_overlap) << "tile " << i;
      ASSERT_EQ(expanded[i].loads, visited[i].loads) << "tile " << i << " of " << t.loop_order();
      ASSERT_EQ(expanded[i].stores, visited[i].stores) << "tile " << i;
      ASSERT_EQ(expanded[i].fetches, visited[i].fetches) << "tile " << i << " of " << t.glb_loop_order();
      ASSERT_EQ(expanded[i].writebacks, visited[i].writebacks) << "tile " << i;
    }
    EXPECT_EQ(cost.actions.compute_cycles, cycles);
    EXPECT_EQ(cost.actions.dram_bytes, dram);
    EXPECT_EQ(cost.dram_occupancy, dram_occ);
    EXPECT_EQ(cost.glb_occupancy, glb_occ);
    EXPECT_EQ(cost.actions.macs, p.groups * p.m * p.k * p.n);
    // Global-buffer bytes: its port's transfers, plus the fetches written into it and the writebacks read
    // out of it (at most their whole bursts).
    EXPECT_GE(cost.actions.glb_bytes, glb);
    EXPECT_LE(cost.actions.glb_bytes, glb + dram);
    // Partial sums: each slice but the first loads them back, each but the last stores them, at accumulator
    // width, for every output element (counted here from the tiling alone).
    const double slices = double(ceil_div(p.k, t.glb_k(p)));
    EXPECT_DOUBLE_EQ(cost.actions.glb_by_tensor.psum,
                     2.0 * (slices - 1) * double(p.groups * p.m * p.n) * p.acc_bits / 8)
        << "K " << p.k << " kg " << t.glb_k(p);
    if (t.psums_leave(p)) ++sliced;
  }
  EXPECT_GE(sliced, 30) << "too few mappings whose partial sums go to the global buffer";
}

}  // namespace
}  // namespace cosim
