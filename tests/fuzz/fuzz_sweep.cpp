// libFuzzer harness: the sweep reader (cosim-sweep/1), which also reads the base architecture and checks
// every parameter value against it.
#include "sweep/sweep_spec.hpp"
#include "tests/fuzz/fuzz_input.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string file = cosim::fuzz::write_input(data, size, "sweep.json");
  return cosim::fuzz::expect_input_error_only(
      [&] { cosim::read_sweep(file, cosim::SweepOverrides{}, COSIM_SOURCE_DIR); });
}

// libsystemc.so refers to sc_main; this harness never starts SystemC (the reader elaborates nothing).
extern "C" int sc_main(int, char**) {
  return 0;
}
