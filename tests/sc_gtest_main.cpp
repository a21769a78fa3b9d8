// libsystemc defines main() and calls sc_main(); GoogleTest runs from here. Each test that elaborates a
// SystemC model runs in its own process (gtest_discover_tests), because SystemC elaborates once per process.
#include <gtest/gtest.h>
#include <systemc>

#include "sim/systemc_banner.hpp"

namespace {
cosim::SystemCBannerMute banner_mute;
}

int sc_main(int argc, char* argv[]) {
  banner_mute.release();
  testing::InitGoogleTest(&argc, argv);
  return RUN_ALL_TESTS();
}
