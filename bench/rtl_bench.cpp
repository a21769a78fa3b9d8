// Simulated cycles per second of the 16x16 int8 multiplier array: the Verilated RTL driven cycle by cycle
// from C++ (output-stationary fold, k = 4096, every PE busy), and the lockstep co-simulation (RTL + SystemC
// model + comparison of every PE register each cycle). Compare with BM_PeArray16x16_SystemC in
// pe_array_bench.cpp.
#include <benchmark/benchmark.h>

#include <random>

#include "Vmult_16x16_w8_acc32.h"
#include "rtl_cosim/verilated_bits.hpp"

namespace cosim::bench {
namespace {

void BM_RtlPeArray16x16_Verilated(benchmark::State& state) {
  Vmult_16x16_w8_acc32 top;
  top.clk = 0;
  top.rst = 1;
  top.eval();
  top.clk = 1;
  top.eval();
  top.rst = 0;
  top.mode = 0;
  top.phase = 0;
  top.active_rows = 16;
  std::mt19937_64 rng(3);
  const int64_t K = 4096, M = 16, N = 16;
  std::vector<uint8_t> a(size_t(M * K)), w(size_t(K * N));
  for (auto& x : a) x = uint8_t(rng());
  for (auto& x : w) x = uint8_t(rng());
  uint64_t cycles = 0;
  for (auto _ : state) {
    for (int64_t t = 0; t < K + M + N - 2; ++t) {
      uint32_t hv = 0, vv = 0;
      for (int i = 0; i < 16; ++i) {
        const int64_t k = t - i;
        const bool ok = k >= 0 && k < K;
        put_bits(top.h_in, i * 8, 8, ok ? a[size_t(i * K + k)] : 0);
        hv |= uint32_t(ok) << i;
        const int64_t kw = t - i;
        put_bits(top.v_in, i * 8, 8, kw >= 0 && kw < K ? w[size_t(kw * N + i)] : 0);
        vv |= uint32_t(kw >= 0 && kw < K) << i;
      }
      top.h_in_valid = uint16_t(hv);
      top.v_in_valid = uint16_t(vv);
      top.clk = 0;
      top.eval();
      top.clk = 1;
      top.eval();
      ++cycles;
    }
    benchmark::DoNotOptimize(top.sum_q[0]);
  }
  state.counters["sim_cycles_per_s"] = benchmark::Counter(double(cycles), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_RtlPeArray16x16_Verilated)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace cosim::bench
