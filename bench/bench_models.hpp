#pragma once

namespace cosim::bench {

// Builds every SystemC model the benchmarks use (SystemC elaborates once per process).
void elaborate_models();
void elaborate_pe_arrays();
void elaborate_simulators();

inline void elaborate_models() {
  elaborate_pe_arrays();
  elaborate_simulators();
}

}  // namespace cosim::bench
