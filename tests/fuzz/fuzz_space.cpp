// libFuzzer harness: the search-space reader (cosim-space/1), with the check that builds a candidate's
// workload from the space.
#include "nas/search_space.hpp"
#include "tests/fuzz/fuzz_input.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string file = cosim::fuzz::write_input(data, size, "space.json");
  return cosim::fuzz::expect_input_error_only([&] { cosim::read_space(file, COSIM_SOURCE_DIR); });
}

// libsystemc.so refers to sc_main; this harness never starts SystemC (the reader elaborates nothing).
extern "C" int sc_main(int, char**) {
  return 0;
}
