// libFuzzer harness: the architecture reader (cosim-arch/1), technology presets and paths included.
#include "spec/arch_spec.hpp"
#include "tests/fuzz/fuzz_input.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string file = cosim::fuzz::write_input(data, size, "arch.json");
  return cosim::fuzz::expect_input_error_only([&] { cosim::read_arch(file); });
}
