// The RTL regression: every Verilated configuration in lockstep with the SystemC PE-array model for at least
// 10,000 cycles under a fixed seed, zero mismatches; and the negative controls: deliberately wrong models
// must be caught, with the cycle, PE, signal and both values.
#include <gtest/gtest.h>

#include <systemc>

#include "rtl_cosim/mac_line_cosim.hpp"
#include "rtl_cosim/pe_array_cosim.hpp"

namespace cosim {
namespace {

// Names of the configurations built into this binary, as test parameters.
template <class Config>
std::vector<std::string> names(const std::vector<Config>& configs) {
  std::vector<std::string> n;
  for (const Config& c : configs) n.push_back(c.name);
  return n;
}

class RtlRegression : public testing::TestWithParam<std::string> {};

TEST_P(RtlRegression, MatchesTheSystemCModelCycleByCycle) {
  const RtlConfig* c = find_rtl_config(GetParam());
  ASSERT_NE(c, nullptr);
  PeArrayCosim run("cosim", *c, 10000, /*seed=*/uint64_t(std::hash<std::string>{}(c->name) % 1000 + 1));
  sc_core::sc_start();
  const CosimResult& r = run.result();
  EXPECT_TRUE(r.ok()) << r.mismatch->describe();
  EXPECT_GE(r.cycles, 10000u);
  EXPECT_GT(r.folds, 20u);
  for (int d = 0; d < 3; ++d) {
    EXPECT_GT(r.folds_by_dataflow[d], 5u) << "dataflow " << d << " barely exercised";
    EXPECT_GT(r.pipelined_tiles_by_dataflow[d], 2u) << "dataflow " << d << " barely exercised pipelined";
  }
}

INSTANTIATE_TEST_SUITE_P(Matrix, RtlRegression, testing::ValuesIn(names(rtl_configs())),
                         [](const testing::TestParamInfo<std::string>& i) { return i.param; });

TEST(RtlNegativeControl, AccumulatorOneBitTooNarrowIsCaught) {
  const RtlConfig* c = find_rtl_config("mult_4x6_w8_acc16_sat");
  ASSERT_NE(c, nullptr);
  PeArrayCosim run("cosim", *c, 10000, 5, ModelFault::NarrowAccumulator);
  sc_core::sc_start();
  const CosimResult& r = run.result();
  ASSERT_FALSE(r.ok()) << "a model with a 15-bit accumulator passed against 16-bit RTL";
  EXPECT_EQ(r.mismatch->signal.rfind("sum", 0), 0u) << r.mismatch->describe();
  EXPECT_LT(r.mismatch->row, c->rows);
  EXPECT_LT(r.mismatch->col, c->cols);
  EXPECT_NE(r.mismatch->rtl, r.mismatch->model);
  EXPECT_NE(r.mismatch->describe().find("PE ("), std::string::npos);
}

TEST(RtlNegativeControl, OneCycleDelayIsCaughtAtOnce) {
  const RtlConfig* c = find_rtl_config("adder_4x6_w8_acc32");
  ASSERT_NE(c, nullptr);
  PeArrayCosim run("cosim", *c, 10000, 9, ModelFault::OneCycleLate);
  sc_core::sc_start();
  const CosimResult& r = run.result();
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.mismatch->fold, 0u);
  EXPECT_LE(r.mismatch->edge, 2u) << r.mismatch->describe();
}

// Faults injected on the RTL side (rtl/CMakeLists.txt, cosim_rtl_fault), each caught by the co-simulation: a
// pipelined stationary operand not kept, pipelined drain registers that do not climb, an output port reading
// the wrong row.
class RtlFault : public testing::TestWithParam<std::string> {};

TEST_P(RtlFault, IsCaught) {
  const RtlConfig* c = nullptr;
  for (const RtlConfig& f : rtl_fault_configs())
    if (f.name == GetParam()) c = &f;
  ASSERT_NE(c, nullptr);
  PeArrayCosim run("cosim", *c, 10000, 11);
  sc_core::sc_start();
  const CosimResult& r = run.result();
  ASSERT_FALSE(r.ok()) << GetParam() << " went unnoticed for " << r.cycles << " cycles";
  if (GetParam() == "fault_tap_off_by_one")
    EXPECT_NE(r.mismatch->signal.find("port"), std::string::npos) << r.mismatch->describe();
  else
    EXPECT_NE(r.mismatch->signal.find("pipelined"), std::string::npos) << r.mismatch->describe();
}

INSTANTIATE_TEST_SUITE_P(Injected, RtlFault, testing::ValuesIn(names(rtl_fault_configs())),
                         [](const testing::TestParamInfo<std::string>& i) { return i.param; });

class MacLineRegression : public testing::TestWithParam<std::string> {};

TEST_P(MacLineRegression, MatchesTheSystemCModelCycleByCycle) {
  const MacLineConfig* c = nullptr;
  for (const MacLineConfig& m : mac_line_configs()) {
    if (m.name == GetParam()) c = &m;
  }
  ASSERT_NE(c, nullptr);
  MacLineCosim run("cosim", *c, 10000, 17);
  sc_core::sc_start();
  const CosimResult& r = run.result();
  EXPECT_TRUE(r.ok()) << r.mismatch->describe();
  EXPECT_GE(r.cycles, 10000u);
}

INSTANTIATE_TEST_SUITE_P(Lines, MacLineRegression, testing::ValuesIn(names(mac_line_configs())),
                         [](const testing::TestParamInfo<std::string>& i) { return i.param; });

}  // namespace
}  // namespace cosim
