// What every libFuzzer harness of a cosim reader shares: the input written to a file where the reader expects
// a user's file (beside the shipped arch/ and workloads/, so relative references resolve), and the rule that
// a reader may only ever fail with an InputError. Any other exception, a crash or a sanitizer report is a
// bug.
#pragma once

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <filesystem>
#include <fstream>
#include <string>

#include <unistd.h>

#include "spec/input_error.hpp"

namespace cosim::fuzz {

// A scratch folder laid out like the source tree (arch/, workloads/ linked in), made once per process.
inline const std::filesystem::path& scratch() {
  static const std::filesystem::path folder = [] {
    namespace fs = std::filesystem;
    fs::path dir = fs::temp_directory_path() / ("cosim-fuzz-" + std::to_string(::getpid()));
    fs::create_directories(dir / "sub");
    for (const char* link : {"arch", "workloads"}) {
      std::error_code ignored;
      fs::create_directory_symlink(fs::path(COSIM_SOURCE_DIR) / link, dir / link, ignored);
    }
    std::atexit([] {
      std::error_code ignored;
      std::filesystem::remove_all(scratch(), ignored);
    });
    return dir;
  }();
  return folder;
}

// Writes the input to scratch()/sub/NAME and returns that path.
inline std::string write_input(const uint8_t* data, size_t size, const char* name) {
  std::string path = (scratch() / "sub" / name).string();
  std::ofstream(path, std::ios::binary | std::ios::trunc).write(reinterpret_cast<const char*>(data), size);
  return path;
}

// Runs `read`; an InputError is the expected way to refuse an input, anything else stops the fuzzer.
template <typename Read>
int expect_input_error_only(Read&& read) {
  try {
    read();
  } catch (const InputError&) {
  } catch (const std::exception& e) {
    std::fprintf(stderr, "not an InputError: %s\n", e.what());
    std::abort();
  }
  return 0;
}

}  // namespace cosim::fuzz
