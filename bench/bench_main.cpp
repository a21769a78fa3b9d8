// One process, one SystemC elaboration: every benchmark's models are built before the first sc_start()
// (bench_models()), then the benchmarks stream work through them.
#include <benchmark/benchmark.h>
#include <systemc>

#include "bench/bench_models.hpp"
#include "sim/systemc_banner.hpp"

namespace {
cosim::SystemCBannerMute banner_mute;
}

int sc_main(int argc, char* argv[]) {
  banner_mute.release();
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  cosim::bench::start_search_workers();
  cosim::bench::start_sweep_workers();
  cosim::bench::elaborate_models();
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
