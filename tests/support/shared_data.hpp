// Real data for tests lives outside the repository (../shared/data, see ../shared/BRIEF.md). A test that
// needs it and cannot find it is reported skipped by name, never passed silently.
#pragma once

#include <cstdlib>
#include <filesystem>
#include <string>

namespace cosim::test {

// The real DeiT-Tiny mask ViTCoD learned: under $COSIM_SHARED_DATA, else ../shared/data next to the source
// tree, else /work/shared/data (where machines of this project's kind keep it, wherever the clone is).
inline std::string vitcod_mask_path() {
  const std::string rel = "/vitcod/deit_tiny_attn_mask_0.95.npy";
  if (const char* env = std::getenv("COSIM_SHARED_DATA")) return env + rel;
  for (const std::string& dir : {std::string(COSIM_SHARED_DATA_DIR), std::string("/work/shared/data")}) {
    if (std::filesystem::exists(dir + rel)) return dir + rel;
  }
  return std::string(COSIM_SHARED_DATA_DIR) + rel;
}

inline bool vitcod_mask_present() {
  return std::filesystem::exists(vitcod_mask_path());
}

}  // namespace cosim::test

#define COSIM_REQUIRE_VITCOD_MASK()                                                       \
  do {                                                                                    \
    if (!cosim::test::vitcod_mask_present()) {                                            \
      GTEST_SKIP() << "real ViTCoD mask not found at " << cosim::test::vitcod_mask_path() \
                   << " (set COSIM_SHARED_DATA to the folder holding vitcod/)";           \
    }                                                                                     \
  } while (0)
