// What `cosim sweep` pays per configuration: the first 8 configurations of sweeps/chunk_shapes.json
// (DeiT-Small and the hybrid ResNet-20 on each), two worker processes, each configuration in a fresh process
// (the model elaborated, every layer mapped with an empty cache, both workloads simulated).
#include <benchmark/benchmark.h>

#include <memory>

#include "bench/bench_models.hpp"
#include "parallel/process_pool.hpp"
#include "sweep/configuration_run.hpp"
#include "sweep/sweep_spec.hpp"

namespace cosim::bench {
namespace {

struct SweepBench {
  std::vector<nlohmann::json> tasks;
  std::unique_ptr<ProcessPool> pool;
};

SweepBench& sweep_state() {
  static SweepBench s;
  return s;
}

void BM_SweepConfigurations(benchmark::State& state) {
  SweepBench& b = sweep_state();
  for (auto _ : state) {
    size_t next = 0, done = 0;
    while (done < b.tasks.size()) {
      while (next < b.tasks.size() && b.pool->idle_workers() > 0) b.pool->submit(next, b.tasks[next]), ++next;
      for (const TaskResult& r : b.pool->collect(-1)) {
        if (!r.error.empty()) state.SkipWithError(r.error.c_str());
        ++done;
      }
    }
  }
  state.counters["configurations_per_s"] =
      benchmark::Counter(double(b.tasks.size()) * double(state.iterations()), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_SweepConfigurations)->Iterations(3)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace

void start_sweep_workers() {
  SweepBench& b = sweep_state();
  const SweepSpec spec =
      read_sweep(std::string(COSIM_SOURCE_DIR) + "/sweeps/chunk_shapes.json", {}, COSIM_SOURCE_DIR);
  const SweepPlan plan = plan_sweep(spec);
  for (size_t i = 0; i < 8; ++i) {
    b.tasks.push_back({{"arch", plan.points[i].arch},
                       {"arch_file", spec.arch_file},
                       {"workloads", spec.workloads},
                       {"mapping_objective", "edp"}});
  }
  b.pool = std::make_unique<ProcessPool>(2, run_configuration, TaskIsolation::ProcessPerTask);
}

}  // namespace cosim::bench
