// How fast the auto-mapper weighs mappings (issue target: at least 100,000 mapping evaluations per second per
// core; Timeloop's mapper visits about 5,000 per second on this machine kind).
//   mappings_per_s:  legal mappings costed in closed form with a bound on cycles and energy (every one
//                    considered by the branch and bound)
//   exact_per_s:     mappings costed exactly (tile-by-tile replay of the accelerator's pipeline)
#include <benchmark/benchmark.h>

#include "mapper/auto_mapping.hpp"
#include "mapper/mapping_search.hpp"

namespace cosim::bench {
namespace {

const ArchSpec& default_arch() {
  static const ArchSpec a = read_arch(std::string(COSIM_SOURCE_DIR) + "/arch/default.json");
  return a;
}

void BM_MapNetwork(benchmark::State& state, const char* workload) {
  const Network net = read_network(std::string(COSIM_SOURCE_DIR) + "/workloads/" + workload + ".json");
  SearchStats total;
  for (auto _ : state) {
    const AutoMapping m = auto_mapping(net, default_arch(), Objective::Edp);
    total += m.total;
    benchmark::DoNotOptimize(m.plans.data());
  }
  state.counters["mappings_per_s"] =
      benchmark::Counter(double(total.considered), benchmark::Counter::kIsRate);
  state.counters["exact_per_s"] = benchmark::Counter(double(total.simulated), benchmark::Counter::kIsRate);
}
BENCHMARK_CAPTURE(BM_MapNetwork, vit_deit_small, "vit")->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_MapNetwork, resnet20_hybrid, "resnet20_hybrid")->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_MapNetwork, deit_base, "deit_base")->Unit(benchmark::kMillisecond);

// One GEMM layer (DeiT-Small fc1: 197 x 384 x 1536 on the 16x16 multiplier chunk), every mapping costed
// exactly: the price of the exact cost model alone.
void BM_ExactCostEveryMapping(benchmark::State& state) {
  const LayerCostModel model(default_arch());
  GemmProblem p;
  p.m = 197, p.k = 384, p.n = 1536, p.a_dram = false, p.o_dram = false;
  SearchStats total;
  for (auto _ : state) {
    const GemmChoice c = search_gemm(model, 0, p, Objective::Edp, {}, true);
    total += c.stats;
    benchmark::DoNotOptimize(c.cost.cycles);
  }
  state.counters["exact_per_s"] = benchmark::Counter(double(total.simulated), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_ExactCostEveryMapping)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace cosim::bench
