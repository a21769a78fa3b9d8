// libFuzzer harness: the mapping file reader (cosim-mapping/1).
#include "mapper/auto_mapping.hpp"
#include "tests/fuzz/fuzz_input.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string file = cosim::fuzz::write_input(data, size, "mapping.json");
  return cosim::fuzz::expect_input_error_only([&] { cosim::read_mapping_file(file); });
}
