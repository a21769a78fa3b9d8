// Simulated cycles per second of the level-1 PE-array model (16x16, every PE type, output-stationary),
// clocked by SystemC, and of the same plain C++ array stepped without SystemC (the kernel's share of the
// cost); and of the pipelined whole-array model with its controller.
#include <benchmark/benchmark.h>

#include <map>
#include <memory>
#include <random>
#include <systemc>

#include "bench/bench_models.hpp"
#include "sim/pe_array/pe_arith.hpp"
#include "sim/pe_array/pe_array_module.hpp"

namespace cosim::bench {
namespace {

PeFormat format_for(OpType op) {
  PeFormat f;
  if (op == OpType::Shift) f.act_bits = 16, f.weight_bits = 6, f.frac_bits = 8;
  return f;
}

FoldInput full_fold(OpType op, int64_t k) {
  std::mt19937_64 rng(7);
  const PeFormat f = format_for(op);
  std::uniform_int_distribution<int64_t> act(act_min(f), act_max(f)),
      wt(weight_min(op, f), weight_max(op, f));
  FoldInput fold;
  fold.m = 16, fold.k = k, fold.n = 16;
  for (int64_t i = 0; i < 16 * k; ++i) fold.a.push_back(act(rng));
  for (int64_t i = 0; i < 16 * k; ++i) fold.w.push_back(wt(rng));
  return fold;
}

// Runs one requested fold per sc_start(): the benchmark loop lives outside the simulation.
struct FoldDriver : sc_core::sc_module {
  PeArrayModule array;
  const FoldInput* fold = nullptr;
  Dataflow dataflow = Dataflow::OutputStationary;
  uint64_t cycles = 0;
  sc_core::sc_event go;
  FoldDriver(sc_core::sc_module_name name, OpType op)
      : sc_module(name), array("array", op, 16, 16, format_for(op), sc_core::sc_time(2, sc_core::SC_NS)) {
    SC_HAS_PROCESS(FoldDriver);
    SC_THREAD(drive);
  }
  void drive() {
    for (;;) {
      wait(go);
      cycles = array.run_fold(dataflow, *fold);
    }
  }
};

std::map<OpType, FoldDriver*>& drivers() {
  static std::map<OpType, FoldDriver*> d;
  return d;
}

void BM_PeArray16x16_SystemC(benchmark::State& state) {
  const OpType op = OpType(state.range(0));
  FoldDriver* d = drivers().at(op);
  const FoldInput fold = full_fold(op, 4096);
  d->fold = &fold;
  uint64_t total = 0;
  for (auto _ : state) {
    d->go.notify(sc_core::SC_ZERO_TIME);
    sc_core::sc_start();
    total += d->cycles;
  }
  state.counters["sim_cycles_per_s"] = benchmark::Counter(double(total), benchmark::Counter::kIsRate);
  state.SetLabel(to_string(op));
}
BENCHMARK(BM_PeArray16x16_SystemC)
    ->Arg(int(OpType::Mult))
    ->Arg(int(OpType::Shift))
    ->Arg(int(OpType::Adder))
    ->Unit(benchmark::kMillisecond);

void BM_PeArray16x16_PlainCpp(benchmark::State& state) {
  const OpType op = OpType(state.range(0));
  SystolicArray array(op, 16, 16, format_for(op));
  const FoldInput fold = full_fold(op, 4096);
  uint64_t total = 0;
  for (auto _ : state) {
    array.start(Dataflow::OutputStationary, fold);
    while (array.step()) {
    }
    total += array.cycles();
    benchmark::DoNotOptimize(array.outputs().data());
  }
  state.counters["sim_cycles_per_s"] = benchmark::Counter(double(total), benchmark::Counter::kIsRate);
  state.SetLabel(to_string(op));
}
BENCHMARK(BM_PeArray16x16_PlainCpp)
    ->Arg(int(OpType::Mult))
    ->Arg(int(OpType::Shift))
    ->Arg(int(OpType::Adder))
    ->Unit(benchmark::kMillisecond);

// The pipelined discipline (docs/pe-array.md): the whole-array model and its controller (plain C++) on a
// 64 x 1024 x 64 output-stationary tile: 16 folds of 16 x 16 streaming 1024, back to back.
void BM_PipelinedPeArray16x16_PlainCpp(benchmark::State& state) {
  const OpType op = OpType(state.range(0));
  std::mt19937_64 rng(9);
  const PeFormat f = format_for(op);
  std::uniform_int_distribution<int64_t> act(act_min(f), act_max(f)),
      wt(weight_min(op, f), weight_max(op, f));
  FoldInput tile;
  tile.m = 64, tile.k = 1024, tile.n = 64;
  for (int64_t i = 0; i < 64 * 1024; ++i) tile.a.push_back(act(rng)), tile.w.push_back(wt(rng));
  PipelinedTileModel model(op, 16, 16, f);
  uint64_t total = 0;
  for (auto _ : state) {
    model.start(Dataflow::OutputStationary, tile);
    while (model.step()) {
    }
    total += model.cycles();
    benchmark::DoNotOptimize(model.tile().folds().data());
  }
  state.counters["sim_cycles_per_s"] = benchmark::Counter(double(total), benchmark::Counter::kIsRate);
  state.SetLabel(to_string(op));
}
BENCHMARK(BM_PipelinedPeArray16x16_PlainCpp)
    ->Arg(int(OpType::Mult))
    ->Arg(int(OpType::Shift))
    ->Arg(int(OpType::Adder))
    ->Unit(benchmark::kMillisecond);

}  // namespace

void elaborate_pe_arrays() {
  for (OpType op : {OpType::Mult, OpType::Shift, OpType::Adder}) {
    drivers()[op] = new FoldDriver(("fold_driver_" + std::string(to_string(op))).c_str(), op);
  }
}

}  // namespace cosim::bench
