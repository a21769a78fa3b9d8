// What `cosim search` pays per candidate: 24 ViT candidates (seeded) evaluated by two worker processes on the
// default accelerator. Cold: fresh workers (SystemC elaborated on first use, empty mapping caches). Warm: the
// same candidates again on workers whose mapping caches hold their layers (the simulation still runs).
// Co-design (--arch-set): the same candidates, each on its own accelerator (MAC chunk 8x8, 16x16 or 32x32 in
// turn), so each is simulated in a fresh process that elaborates it, with no mapping cache.
// Candidates found in the journal or proposed twice cost a map lookup and are not measured here.
#include <benchmark/benchmark.h>

#include <memory>
#include <random>

#include "bench/bench_models.hpp"
#include "nas/evaluation.hpp"
#include "nas/search_space.hpp"
#include "spec/json_reader.hpp"

namespace cosim::bench {
namespace {

struct SearchBench {
  std::unique_ptr<SearchSpace> space;
  ArchSpec arch;
  std::vector<nlohmann::json> workloads;
  std::vector<std::unique_ptr<EvaluatorPool>> cold;
  std::unique_ptr<EvaluatorPool> warm, codesign;
  std::vector<nlohmann::json> archs;  // co-design: each candidate's accelerator
  size_t next_cold = 0;
};

SearchBench& bench_state() {
  static SearchBench s;
  return s;
}

constexpr int kColdRuns = 3;

void run(benchmark::State& state, bool warm) {
  SearchBench& b = bench_state();
  std::vector<std::string> errors;
  if (warm) b.warm->evaluate(b.workloads, errors);  // fill the caches
  for (auto _ : state) {
    EvaluatorPool& pool = warm ? *b.warm : *b.cold.at(b.next_cold++);
    const auto m = pool.evaluate(b.workloads, errors);
    benchmark::DoNotOptimize(m.data());
  }
  for (const std::string& e : errors) {
    if (!e.empty()) state.SkipWithError(e.c_str());
  }
  state.counters["candidates_per_s"] = benchmark::Counter(
      double(b.workloads.size()) * double(state.iterations()), benchmark::Counter::kIsRate);
}

void BM_SearchEvaluateCold(benchmark::State& state) {
  run(state, false);
}
void BM_SearchEvaluateWarm(benchmark::State& state) {
  run(state, true);
}
void BM_SearchEvaluateCoDesign(benchmark::State& state) {
  SearchBench& b = bench_state();
  std::vector<std::string> errors;
  for (auto _ : state) {
    const auto m = b.codesign->evaluate(b.workloads, errors, &b.archs);
    benchmark::DoNotOptimize(m.data());
  }
  for (const std::string& e : errors) {
    if (!e.empty()) state.SkipWithError(e.c_str());
  }
  state.counters["candidates_per_s"] = benchmark::Counter(
      double(b.workloads.size()) * double(state.iterations()), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_SearchEvaluateCold)->Iterations(kColdRuns)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_SearchEvaluateWarm)->Iterations(5)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_SearchEvaluateCoDesign)->Iterations(3)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace

void start_search_workers() {
  SearchBench& b = bench_state();
  b.space = read_space("vit", COSIM_SOURCE_DIR);
  b.arch = read_arch(std::string(COSIM_SOURCE_DIR) + "/arch/default.json");
  std::mt19937_64 rng(1);
  for (int i = 0; i < 24; ++i) {
    Candidate c;
    for (const Gene& g : b.space->genes) c.push_back(int(rng() % g.options.size()));
    b.workloads.push_back(b.space->workload(b.space->normalize(c), "bench_" + std::to_string(i)));
  }
  for (int i = 0; i < kColdRuns; ++i)
    b.cold.push_back(std::make_unique<EvaluatorPool>(b.arch, Objective::Edp, 2));
  b.warm = std::make_unique<EvaluatorPool>(b.arch, Objective::Edp, 2);
  b.codesign = std::make_unique<EvaluatorPool>(b.arch, Objective::Edp, 2, true);
  const nlohmann::json doc = JsonField::load(b.arch.file).raw();
  for (size_t i = 0; i < b.workloads.size(); ++i) {
    nlohmann::json a = doc;
    const int side = 8 << (i % 3);
    for (auto& chunk : a["chunks"])
      if (chunk["name"] == "mac") chunk["rows"] = side, chunk["cols"] = side;
    b.archs.push_back(a);
  }
}

}  // namespace cosim::bench
