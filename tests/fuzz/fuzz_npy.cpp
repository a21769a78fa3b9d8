// libFuzzer harness: the .npy attention-mask reader.
#include "spec/attention_mask.hpp"
#include "tests/fuzz/fuzz_input.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string file = cosim::fuzz::write_input(data, size, "mask.npy");
  return cosim::fuzz::expect_input_error_only([&] { cosim::load_npy_mask(file); });
}
