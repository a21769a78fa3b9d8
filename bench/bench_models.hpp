#pragma once

namespace cosim::bench {

// Builds every SystemC model the benchmarks use (SystemC elaborates once per process).
void elaborate_models();
void elaborate_pe_arrays();
void elaborate_simulators();
// Forks the evaluation workers of the search benchmarks: before this process elaborates anything.
void start_search_workers();
// Forks the worker processes of the sweep benchmark: before this process elaborates anything.
void start_sweep_workers();

inline void elaborate_models() {
  elaborate_pe_arrays();
  elaborate_simulators();
}

}  // namespace cosim::bench
