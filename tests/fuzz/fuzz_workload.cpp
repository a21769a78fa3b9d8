// libFuzzer harness: the workload reader (cosim-workload/1), with its shape checks and mask generation.
#include "spec/network.hpp"
#include "tests/fuzz/fuzz_input.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string file = cosim::fuzz::write_input(data, size, "workload.json");
  return cosim::fuzz::expect_input_error_only([&] { cosim::read_network(file); });
}
