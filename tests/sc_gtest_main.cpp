// libsystemc defines main() and calls sc_main(); GoogleTest runs from here. Each test that elaborates a SystemC
// model runs in its own process (gtest_discover_tests), because SystemC elaborates once per process.
#include <gtest/gtest.h>
#include <systemc>

int sc_main(int argc, char* argv[]) {
  testing::InitGoogleTest(&argc, argv);
  return RUN_ALL_TESTS();
}
