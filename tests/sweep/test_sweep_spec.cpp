// Sweep specs as an architect writes them: fields found by name, values checked against the architecture
// before anything runs, grids in spec order, seeded samples, the area budget, and one clear error per
// mistake.
#include <gtest/gtest.h>

#include <unistd.h>

#include <fstream>
#include <set>

#include "model/area_model.hpp"
#include "spec/arch_spec.hpp"
#include "spec/input_error.hpp"
#include "spec/json_reader.hpp"
#include "sweep/sweep_spec.hpp"

namespace cosim {
namespace {

std::string write_spec(const std::string& name, const std::string& text) {
  const std::string path = testing::TempDir() + "sweep_" + std::to_string(::getpid()) + "_" + name + ".json";
  std::ofstream(path) << text;
  return path;
}

// A spec with the given parameters over the default architecture and one workload preset.
std::string spec_with(const std::string& name, const std::string& parameters, const std::string& extra = "") {
  return write_spec(name, R"({"format": "cosim-sweep/1", "arch": "default", "workloads": ["resnet20_hybrid"],
                              "parameters": )" +
                              parameters + extra + "}");
}

SweepSpec read(const std::string& file, SweepOverrides ov = {}) {
  return read_sweep(file, ov, COSIM_DATA_DIR);
}

// The error a spec gives, as the CLI prints it.
std::string error_of(const std::string& file, SweepOverrides ov = {}) {
  try {
    plan_sweep(read(file, ov));
  } catch (const InputError& e) {
    return e.what();
  }
  return "no error";
}

TEST(SweepSpec, GridFollowsSpecOrderAndSetsEveryNamedField) {
  const SweepSpec s = read(spec_with("grid", R"({"global_buffer.size": ["256 KiB", "1 MiB"],
      "chunks.shift.rows+chunks.shift.cols": [8, 32], "dram.bandwidth": {"from": 25.6, "to": 76.8,
      "step": 25.6, "unit": "GB/s"}})"));
  ASSERT_EQ(s.parameters.size(), 3u);
  EXPECT_EQ(s.parameters[0].name, "global_buffer.size");  // as written, not sorted
  EXPECT_EQ(s.parameters[2].values, (std::vector<nlohmann::json>{"25.6 GB/s", "51.2 GB/s", "76.8 GB/s"}));
  const SweepPlan plan = plan_sweep(s);
  ASSERT_EQ(plan.points.size(), 12u);
  EXPECT_EQ(plan.grid_size, 12u);
  // The first parameter varies slowest, the last fastest.
  EXPECT_EQ(plan.points[0].choice, (std::vector<size_t>{0, 0, 0}));
  EXPECT_EQ(plan.points[1].choice, (std::vector<size_t>{0, 0, 1}));
  EXPECT_EQ(plan.points[11].choice, (std::vector<size_t>{1, 1, 2}));
  // Point 11: 1 MiB, 32x32 shift chunk (found by name: it is the second chunk), 76.8 GB/s.
  const ArchSpec a = read_arch(JsonField::from(plan.points[11].arch, s.arch_file));
  EXPECT_EQ(a.global_buffer.size, 1024u * 1024u);
  const ChunkSpec* shift = a.chunk_for(OpType::Shift);
  ASSERT_NE(shift, nullptr);
  EXPECT_EQ(shift->rows, 32);
  EXPECT_EQ(shift->cols, 32);
  EXPECT_EQ(a.chunk_for(OpType::Mult)->rows, 16) << "other chunks untouched";
  EXPECT_NEAR(a.dram.rate.per_cycle(), 76.8e9 / a.clock_hz, 1e-9);
  // Bigger arrays and buffers cost area; each point's area is the area model's.
  EXPECT_GT(plan.points[11].area_mm2, plan.points[0].area_mm2);
  EXPECT_DOUBLE_EQ(plan.points[11].area_mm2, arch_area(a).total_mm2());
  std::set<std::string> keys;
  for (const auto& p : plan.points) keys.insert(p.key);
  EXPECT_EQ(keys.size(), 12u) << "every configuration has its own journal key";
}

TEST(SweepSpec, RangesByStepOrFactor) {
  const SweepSpec s = read(spec_with("ranges", R"({"chunks.mac.rows": {"from": 8, "to": 64, "factor": 2},
      "chunks.adder.rows": {"from": 4, "to": 14, "step": 5}, "vector_unit.buffer": {"from": 16, "to": 32,
      "factor": 2, "unit": "KiB"}})"));
  EXPECT_EQ(s.parameters[0].values, (std::vector<nlohmann::json>{8, 16, 32, 64}));
  EXPECT_EQ(s.parameters[1].values, (std::vector<nlohmann::json>{4, 9, 14}));
  EXPECT_EQ(s.parameters[2].values, (std::vector<nlohmann::json>{"16 KiB", "32 KiB"}));
  EXPECT_EQ(plan_sweep(s).points.size(), 24u);
}

TEST(SweepSpec, AreaBudgetLeavesOutLargerConfigurations) {
  const std::string params = R"({"chunks.mac.rows+chunks.mac.cols": [8, 16, 32, 64]})";
  const SweepPlan all = plan_sweep(read(spec_with("nobudget", params)));
  ASSERT_EQ(all.points.size(), 4u);
  const double budget = (all.points[1].area_mm2 + all.points[2].area_mm2) / 2;
  SweepOverrides ov;
  ov.area_budget_mm2 = budget;
  const SweepPlan within = plan_sweep(read(spec_with("budget", params), ov));
  EXPECT_EQ(within.points.size(), 2u);
  EXPECT_EQ(within.over_budget, 2u);
  for (const auto& p : within.points) EXPECT_LE(p.area_mm2, budget);
  // The same budget written in the spec, with its unit.
  const SweepPlan in_spec = plan_sweep(
      read(spec_with("budget_spec", params, ", \"area_budget\": \"" + std::to_string(budget) + " mm2\"")));
  EXPECT_EQ(in_spec.points.size(), 2u);
  // A budget nothing fits is an error, not an empty sweep.
  SweepOverrides tiny;
  tiny.area_budget_mm2 = all.points[0].area_mm2 / 2;
  EXPECT_NE(error_of(spec_with("tiny", params), tiny).find("--area-budget: the area budget of"),
            std::string::npos)
      << error_of(spec_with("tiny", params), tiny);
  EXPECT_NE(error_of(spec_with("tiny_spec", params, R"(, "area_budget": "1 um2")"))
                .find("/area_budget: the area budget"),
            std::string::npos);
}

TEST(SweepSpec, RandomSampleIsSeededDistinctAndWithinBudget) {
  const std::string params = R"({"chunks.mac.rows": [4, 8, 16, 32], "chunks.mac.cols": [4, 8, 16, 32],
                                 "chunks.adder.rows": [8, 16, 32], "global_buffer.size": ["256 KiB", "512 KiB"]})";
  const std::string f = spec_with("random", params, R"(, "sample": {"random": 10, "seed": 7})");
  const SweepPlan a = plan_sweep(read(f)), b = plan_sweep(read(f));
  ASSERT_EQ(a.points.size(), 10u);
  EXPECT_EQ(a.grid_size, 96u);
  std::set<std::string> keys;
  for (size_t i = 0; i < a.points.size(); ++i) {
    EXPECT_EQ(a.points[i].key, b.points[i].key) << "same seed, same sample";
    keys.insert(a.points[i].key);
  }
  EXPECT_EQ(keys.size(), 10u);
  SweepOverrides other;
  other.seed = 8;
  const SweepPlan c = plan_sweep(read(f, other));
  bool differs = false;
  for (size_t i = 0; i < c.points.size(); ++i) differs = differs || c.points[i].key != a.points[i].key;
  EXPECT_TRUE(differs) << "the seed matters";
  // A sample larger than the grid is the grid.
  SweepOverrides many;
  many.random_samples = 500;
  EXPECT_EQ(plan_sweep(read(f, many)).points.size(), 96u);
}

TEST(SweepSpec, CommandLineSetsAddAndReplaceParameters) {
  SweepOverrides ov;
  ov.sets = {"chunks.mac.rows=8,32", "chunks.mac.overflow=wrap,saturate", "global_buffer.size=256 KiB,1 MiB"};
  const SweepSpec s = read(spec_with("set", R"({"chunks.mac.rows": [8, 16, 24]})"), ov);
  ASSERT_EQ(s.parameters.size(), 3u);
  EXPECT_EQ(s.parameters[0].values, (std::vector<nlohmann::json>{8, 32})) << "--set replaces the spec's";
  EXPECT_EQ(s.parameters[1].values, (std::vector<nlohmann::json>{"wrap", "saturate"}));
  EXPECT_EQ(s.parameters[2].values, (std::vector<nlohmann::json>{"256 KiB", "1 MiB"}));
  EXPECT_EQ(plan_sweep(s).points.size(), 8u);
  // Without a spec file: the default architecture and workloads.
  SweepOverrides only;
  only.sets = {"chunks.adder.rows=8,16"};
  const SweepSpec cl = read("", only);
  EXPECT_EQ(cl.workloads.size(), 2u);
  EXPECT_EQ(plan_sweep(cl).points.size(), 2u);
}

TEST(SweepSpec, BadSpecsGetOneClearLineNamingTheParameter) {
  struct Case {
    std::string params, extra, expected;
  };
  const std::vector<Case> cases = {
      {R"({"chunks.mac.rowz": [8]})", "", "/parameters/chunks.mac.rowz: the architecture rejects 8"},
      {R"({"chunks.mac.rowz": [8]})", "", "rowz"},
      {R"({"chunks.mult.rows": [8]})", "", "no element named \"mult\" (names: mac, shift, adder)"},
      {R"({"glb.size": [8]})", "", "unknown field \"glb.size\": the architecture has no \"glb\""},
      {R"({"chunks.mac.rows": []})", "", "/parameters/chunks.mac.rows: the list of values is empty"},
      {R"({"chunks.mac.rows": {"from": 32, "to": 8, "step": 8}})", "", "the range is empty"},
      {R"({"chunks.mac.rows": [8, 16, 8]})", "", "the value 8 is listed twice"},
      {R"({"chunks.mac.rows": [16, 0]})", "", "the architecture rejects 0: /chunks/0/rows"},
      {R"({"chunks.mac.rows": ["many"]})", "", "the architecture rejects \"many\""},
      {R"({"dram.bandwidth": ["10 GHz"]})", "", "/parameters/dram.bandwidth: the architecture rejects"},
      {R"({"chunks.mac.rows": [8], "chunks.mac.rows+chunks.mac.cols": [8]})", "", "already swept by"},
      {R"({})", "", "nothing to sweep"},
      {R"({"chunks.mac.rows": [8]})", R"(, "objectives": ["speed"])", "unknown objective \"speed\""},
      {R"({"chunks.mac.rows": [8]})", R"(, "sample": {"random": 0})", "/sample/random"},
      {R"({"chunks.mac.rows": [8]})", R"(, "colour": 1)", "colour"},
  };
  for (size_t i = 0; i < cases.size(); ++i) {
    const std::string f = spec_with("bad" + std::to_string(i), cases[i].params, cases[i].extra);
    const std::string err = error_of(f);
    EXPECT_NE(err.find(cases[i].expected), std::string::npos) << cases[i].params << " gave: " << err;
    EXPECT_EQ(err.find('\n'), std::string::npos) << err;
    EXPECT_EQ(err.rfind(f, 0), 0u) << "names the spec file: " << err;
  }
  SweepOverrides bad_set;
  bad_set.sets = {"chunks.mac.rows"};
  EXPECT_NE(error_of("", bad_set).find("--set: chunks.mac.rows: expected FIELD=VALUE"), std::string::npos);
  bad_set.sets = {"chunks.mac.rows=8,,16"};
  EXPECT_NE(error_of("", bad_set).find("empty value"), std::string::npos);
  bad_set.sets = {"chunks.mac.rows=-4"};
  EXPECT_NE(error_of("", bad_set).find("--set: chunks.mac.rows: the architecture rejects -4"),
            std::string::npos);
  const std::string no_workload =
      write_spec("nowork", R"({"format": "cosim-sweep/1", "workloads": ["missing.json"],
                               "parameters": {"chunks.mac.rows": [8]}})");
  EXPECT_NE(error_of(no_workload).find("/workloads/0: no such file or workloads preset"), std::string::npos)
      << error_of(no_workload);
}

}  // namespace
}  // namespace cosim
