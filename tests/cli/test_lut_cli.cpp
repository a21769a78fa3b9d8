// `cosim lut` as a differentiable-NAS user runs it: a row per block and option with the block's MACs as
// counted by hand, skipped blocks free, and a table whose sum over a candidate's blocks gives the MACs of
// `cosim run` exactly and its cycles and energy to within the additivity error the table reports.
#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <sstream>

#include <nlohmann/json.hpp>

#include "support/cosim_command.hpp"

namespace cosim {
namespace {

test::CommandResult cosim(const std::string& args) {
  return test::run_cosim(args);
}

struct Cost {
  double cycles = 0, energy_uJ = 0, macs = 0;
};

Cost cost_of(const nlohmann::json& j) {
  return {j.at("cycles").get<double>(), j.at("energy_uJ").get<double>(), j.at("macs").get<double>()};
}

// The table read back: (gene, option) -> cost.
struct Table {
  std::map<std::pair<std::string, std::string>, Cost> entries;
  Cost fixed;
  nlohmann::json json;
};

const Table& fmnist_table() {
  static const Table t = [] {
    const test::CommandResult r = cosim("lut --space cnn_fmnist --samples 4 --format json");
    EXPECT_EQ(r.code, 0) << r.err;
    Table t;
    t.json = nlohmann::json::parse(r.out);
    for (const auto& e : t.json["entries"])
      t.entries[{e["gene"].get<std::string>(), e["option"].get<std::string>()}] = cost_of(e);
    t.fixed = cost_of(t.json["fixed"]);
    return t;
  }();
  return t;
}

TEST(CosimLut, HasARowPerBlockAndOptionWithTheBlocksMacs) {
  const Table& t = fmnist_table();
  // 8 blocks x (4 operators x 2 kernels x 3 expansions), and skip in the 4 blocks that keep their shape.
  EXPECT_EQ(t.entries.size(), 8u * 24u + 4u);
  // s0b0, mult/k3/e1 at 28x28, 16 channels: depthwise 3x3, project 16->16 (no expansion); the residual add
  // runs on the vector unit: PE operations only, as `cosim run` counts them.
  EXPECT_EQ(t.entries.at({"s0b0", "mult/k3/e1"}).macs, 28 * 28 * 16 * 9 + 28 * 28 * 16 * 16);
  // s1b0, adder/k5/e3, 16 -> 24 channels, stride 2 (28 -> 14): expand 16->48 at 28x28, depthwise 5x5 at
  // 14x14, project 48->24; no residual.
  EXPECT_EQ(t.entries.at({"s1b0", "adder/k5/e3"}).macs,
            28 * 28 * 16 * 48 + 14 * 14 * 48 * 25 + 14 * 14 * 48 * 24);
  for (const char* gene : {"s1b1", "s2b1", "s2b2", "s3b1"}) {
    const Cost& skip = t.entries.at({gene, "skip"});
    EXPECT_EQ(skip.cycles, 0) << gene;
    EXPECT_EQ(skip.energy_uJ, 0) << gene;
    EXPECT_EQ(skip.macs, 0) << gene;
  }
  for (const auto& [key, c] : t.entries) {
    if (key.second == "skip") continue;
    EXPECT_GT(c.cycles, 0) << key.first << " " << key.second;
  }
  EXPECT_EQ(t.json["additivity"]["candidates"].size(), 4u);
}

// Front members of a small search: their workloads run with `cosim run`, their sums come from the table.
TEST(CosimLut, SumsOverACandidatesBlocksAgreeWithCosimRun) {
  const Table& t = fmnist_table();
  const std::string dir = test::temp_path("lut_search");
  const test::CommandResult s =
      cosim("search --energy --space cnn_fmnist --budget 12 --population 6 --seed 5 --quiet --out " + dir);
  ASSERT_EQ(s.code, 0) << s.err;
  const nlohmann::json front = nlohmann::json::parse(test::slurp(dir + "/front.json"));
  ASSERT_GE(front["members"].size(), 1u);
  const double max_cycles_error = t.json["additivity"]["max_abs_cycles_error_percent"].get<double>();
  const double max_energy_error = t.json["additivity"]["max_abs_energy_error_percent"].get<double>();
  for (const auto& m : front["members"]) {
    const test::CommandResult r =
        cosim("run " + dir + "/" + m["workload"].get<std::string>() + " --format json");
    ASSERT_EQ(r.code, 0) << r.err;
    const nlohmann::json run = nlohmann::json::parse(r.out);
    Cost sum = t.fixed;
    std::istringstream genes(m["genes"].get<std::string>());  // "s0b0=mult/k3/e1 s1b0=..."
    std::string pair;
    int blocks = 0;
    while (genes >> pair) {
      const Cost& c = t.entries.at({pair.substr(0, pair.find('=')), pair.substr(pair.find('=') + 1)});
      sum.cycles += c.cycles, sum.energy_uJ += c.energy_uJ, sum.macs += c.macs;
      ++blocks;
    }
    EXPECT_EQ(blocks, 8);
    EXPECT_EQ(sum.macs, run["total"]["macs"].get<double>()) << m["encoding"];
    const double cycles = run["total"]["cycles"].get<double>();
    // Within a few percent (the reported worst case over 4 candidates is a sample, not a bound).
    EXPECT_LT(std::fabs(sum.cycles - cycles) / cycles * 100, std::max(5.0, 2 * max_cycles_error))
        << m["encoding"];
    const double energy = run["total"]["energy_pJ"]["total"].get<double>() / 1e6;
    EXPECT_LT(std::fabs(sum.energy_uJ - energy) / energy * 100, std::max(5.0, 2 * max_energy_error))
        << m["encoding"];
  }
}

TEST(CosimLut, RefusesASpaceWithoutPerBlockGenesAndBadOptions) {
  const test::CommandResult vit = cosim("lut --space vit");
  EXPECT_EQ(vit.code, 2);
  EXPECT_NE(vit.err.find("/kind"), std::string::npos) << vit.err;
  EXPECT_EQ(vit.out, "");
  const test::CommandResult samples = cosim("lut --samples -1");
  EXPECT_EQ(samples.code, 2);
  EXPECT_EQ(samples.out, "");
  const test::CommandResult missing = cosim("lut --space /no/such/space.json");
  EXPECT_EQ(missing.code, 2);
  EXPECT_NE(missing.err.find("/no/such/space.json"), std::string::npos) << missing.err;
}

}  // namespace
}  // namespace cosim
