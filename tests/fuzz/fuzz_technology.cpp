// libFuzzer harness: the technology table reader (cosim-technology/1).
#include "spec/json_reader.hpp"
#include "spec/technology.hpp"
#include "tests/fuzz/fuzz_input.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string file = cosim::fuzz::write_input(data, size, "technology.json");
  return cosim::fuzz::expect_input_error_only([&] { cosim::Technology::read(cosim::JsonField::load(file)); });
}
