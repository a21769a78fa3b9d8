// What `cosim run` costs per workload on the default accelerator: read the workload, map it, simulate it at
// tile granularity and price it (the accelerator model is built once; workloads stream through it).
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <filesystem>
#include <memory>

#include "bench/bench_models.hpp"
#include "flow/network_simulator.hpp"

namespace cosim::bench {
namespace {

NetworkSimulator*& simulator() {
  static NetworkSimulator* s = nullptr;
  return s;
}

void BM_CosimRun(benchmark::State& state, const char* workload) {
  const std::string file = std::string(COSIM_SOURCE_DIR) + "/workloads/" + workload + ".json";
  NetworkOptions options;
  if (std::string(workload) == "deit_tiny_vitcod") {
    // The real ViTCoD mask lives outside the repository (../shared/data).
    const char* env = std::getenv("COSIM_SHARED_DATA");
    options.mask_file =
        std::string(env ? env : COSIM_SHARED_DATA_DIR) + "/vitcod/deit_tiny_attn_mask_0.95.npy";
    if (!env && !std::filesystem::exists(options.mask_file)) {
      options.mask_file = "/work/shared/data/vitcod/deit_tiny_attn_mask_0.95.npy";
    }
    if (!std::filesystem::exists(options.mask_file)) {
      state.SkipWithError(("real ViTCoD mask not found at " + options.mask_file).c_str());
      return;
    }
  }
  uint64_t cycles = 0;
  for (auto _ : state) {
    Network net = read_network(file, options);
    RunReport r = simulator()->run(net);
    cycles = r.total_cycles;
    benchmark::DoNotOptimize(r.energy_pJ);
  }
  state.counters["sim_cycles"] = double(cycles);
  state.counters["sim_cycles_per_s"] =
      benchmark::Counter(double(cycles) * double(state.iterations()), benchmark::Counter::kIsRate);
}
BENCHMARK_CAPTURE(BM_CosimRun, vit_deit_small, "vit")->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_CosimRun, deit_tiny, "deit_tiny")->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_CosimRun, deit_tiny_vitcod_real_mask, "deit_tiny_vitcod")->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_CosimRun, deit_base, "deit_base")->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_CosimRun, mobilenetv2_cifar, "mobilenetv2_cifar")->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_CosimRun, resnet20_hybrid, "resnet20_hybrid")->Unit(benchmark::kMillisecond);

}  // namespace

void elaborate_simulators() {
  simulator() = new NetworkSimulator(read_arch(std::string(COSIM_SOURCE_DIR) + "/arch/default.json"));
}

}  // namespace cosim::bench
