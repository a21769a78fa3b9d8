// `cosim sweep` as a hardware architect runs it: points with the Pareto front marked and reproducible by
// `cosim run`, a killed sweep that resumes without redoing finished configurations, the same CSV under
// `mpirun -np 3` as serially, and one clear line for a bad spec.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include <nlohmann/json.hpp>

#include "support/cosim_command.hpp"

namespace cosim {
namespace {

using test::lines_of;
using test::slurp;

std::string temp(const std::string& name) {
  return test::temp_path("sweep_" + name);
}

test::CommandResult cosim(const std::string& args, const std::string& prefix = "") {
  return test::run_cosim(args, prefix);
}

// Open MPI refuses root unless told; CI runs as root. Three ranks on two cores need --oversubscribe.
const char* kMpirun = "OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 mpirun --oversubscribe -np";

// 8 configurations over DeiT-Small and the hybrid ResNet-20; with `one_workload`, over DeiT-Small alone (the
// tests of resuming, interrupting and MPI ranks, which need configurations, not workloads: half the time).
std::string small_spec(bool one_workload = false) {
  const std::string path = temp(one_workload ? "small_vit.json" : "small.json");
  std::ofstream(path) << R"({"format": "cosim-sweep/1", "name": "small", "workloads": )"
                      << (one_workload ? R"(["vit"])" : R"(["vit", "resnet20_hybrid"])") << R"(,
    "parameters": {"chunks.mac.rows+chunks.mac.cols": [8, 16], "chunks.shift.rows+chunks.shift.cols": [8, 16],
                   "global_buffer.size": ["256 KiB", "512 KiB"]}})";
  return path;
}

std::vector<std::map<std::string, std::string>> read_csv(const std::string& file) {
  std::ifstream in(file);
  std::string line;
  std::getline(in, line);
  std::vector<std::string> head;
  std::stringstream hs(line);
  for (std::string h; std::getline(hs, h, ',');) head.push_back(h);
  std::vector<std::map<std::string, std::string>> rows;
  while (std::getline(in, line)) {
    std::map<std::string, std::string> row;
    std::stringstream ls(line);
    std::string cell;
    for (size_t k = 0; k < head.size() && std::getline(ls, cell, ','); ++k) row[head[k]] = cell;
    rows.push_back(row);
  }
  return rows;
}

double num(const std::map<std::string, std::string>& row, const std::string& col) {
  return std::stod(row.at(col));
}

TEST(CosimSweep, WritesPointsWithTheFrontMarkedPlotsAndASummary) {
  // A quote in --out: gnuplot is started without a shell, so nothing in the path can break it.
  const std::string quoted = temp("points_it's"), out = temp("points");
  const test::CommandResult r = cosim("sweep " + small_spec() + " --jobs 2 --quiet --out \"" + quoted + "\"");
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(test::cosim_lines(r.err), 0) << "no gnuplot warning: " << r.err;
  std::filesystem::rename(quoted, out);  // the test's own commands below go through a shell
  for (const char* f : {"points.csv", "points.json", "front.csv", "energy_latency.png", "front_energy.png",
                        "summary.txt", "journal.jsonl"}) {
    EXPECT_TRUE(std::filesystem::exists(out + "/" + f)) << f;
  }
  // plots.gp names its files relative to its folder: it redraws the plots after the folder has moved.
  const std::string moved = temp("points_moved");
  std::filesystem::copy(out, moved, std::filesystem::copy_options::recursive);
  for (const char* png : {"energy_latency.png", "front_energy.png"})
    std::filesystem::remove(moved + "/" + png);
  ASSERT_EQ(std::system(("cd '" + moved + "' && gnuplot plots.gp 2>/dev/null").c_str()), 0);
  EXPECT_TRUE(std::filesystem::exists(moved + "/energy_latency.png"));
  EXPECT_TRUE(std::filesystem::exists(moved + "/front_energy.png"));
  for (const char* best : {"best latency", "best energy", "best edp", "best area"})
    EXPECT_NE(r.out.find(best), std::string::npos) << r.out;
  EXPECT_EQ(slurp(out + "/summary.txt"), r.out);

  const auto rows = read_csv(out + "/points.csv");
  ASSERT_EQ(rows.size(), 8u);
  // The pareto column is exactly the non-dominated set over latency, energy and area.
  size_t on_front = 0;
  for (const auto& a : rows) {
    bool dominated = false;
    for (const auto& b : rows) {
      const bool le = num(b, "latency_ms") <= num(a, "latency_ms") &&
                      num(b, "energy_uJ") <= num(a, "energy_uJ") && num(b, "area_mm2") <= num(a, "area_mm2");
      const bool lt = num(b, "latency_ms") < num(a, "latency_ms") ||
                      num(b, "energy_uJ") < num(a, "energy_uJ") || num(b, "area_mm2") < num(a, "area_mm2");
      dominated = dominated || (le && lt);
    }
    EXPECT_EQ(a.at("pareto"), dominated ? "0" : "1") << "point " << a.at("point");
    on_front += !dominated;
  }
  EXPECT_GE(on_front, 2u);
  EXPECT_EQ(read_csv(out + "/front.csv").size(), on_front);
  // Every configuration really is different hardware: a 16x16 multiplier chunk runs DeiT-Small faster than
  // an 8x8 one with everything else equal, and costs more area.
  for (size_t i = 0; i < 4; ++i) {
    EXPECT_LT(num(rows[i + 4], "vit.latency_ms"), num(rows[i], "vit.latency_ms")) << i;
    EXPECT_GT(num(rows[i + 4], "area_mm2"), num(rows[i], "area_mm2")) << i;
  }
  // A front configuration's architecture file, given to `cosim run`, gives the same figures.
  const nlohmann::json points = nlohmann::json::parse(slurp(out + "/points.json"));
  size_t checked = 0;
  for (const auto& p : points["points"]) {
    if (!p["pareto"].get<bool>() || checked == 2) continue;
    ++checked;
    const std::string arch = out + "/front/point_" + std::to_string(p["point"].get<int>()) + ".json";
    for (const auto& w : p["workloads"]) {
      const test::CommandResult run = cosim("run workloads/" + w["workload"].get<std::string>() +
                                            ".json --arch " + arch + " --format json");
      ASSERT_EQ(run.code, 0) << run.err;
      const nlohmann::json j = nlohmann::json::parse(run.out);
      EXPECT_EQ(j["total"]["cycles"], w["cycles"]);
      EXPECT_DOUBLE_EQ(j["total"]["energy_pJ"]["total"].get<double>() / 1e6, w["energy_uJ"].get<double>());
      EXPECT_DOUBLE_EQ(j["area_mm2"]["total"].get<double>(), p["area_mm2"].get<double>());
    }
  }
  EXPECT_EQ(checked, 2u);
}

TEST(CosimSweep, KilledSweepResumesWithoutRecomputingFinishedPoints) {
  const std::string spec = small_spec(true), full = temp("full"), killed = temp("killed");
  const std::string args = "sweep " + spec + " --jobs 1 --quiet";
  ASSERT_EQ(cosim(args + " --out " + full).code, 0);
  test::run_cosim_and_kill(args + " --out " + killed,
                           [&] { return lines_of(killed + "/journal.jsonl") >= 4; });
  const size_t before = lines_of(killed + "/journal.jsonl");  // header + finished configurations
  ASSERT_GE(before, 4u);
  ASSERT_LT(before, 9u) << "killed before the end";
  ASSERT_FALSE(std::filesystem::exists(killed + "/points.csv"));
  EXPECT_EQ(cosim(args + " --out " + killed).code, 2) << "an existing sweep is not overwritten";
  const test::CommandResult r = cosim(args + " --out " + killed + " --resume");
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find(std::to_string(9 - before) + " ran now, " + std::to_string(before - 1) +
                       " from the journal"),
            std::string::npos)
      << r.out;
  EXPECT_EQ(slurp(full + "/points.csv"), slurp(killed + "/points.csv"));
  // Each configuration ran exactly once over both runs.
  std::ifstream in(killed + "/journal.jsonl");
  std::string line;
  std::getline(in, line);
  std::set<std::string> keys;
  size_t n = 0;
  while (std::getline(in, line)) {
    EXPECT_TRUE(keys.insert(nlohmann::json::parse(line)["key"].get<std::string>()).second) << "ran twice";
    ++n;
  }
  EXPECT_EQ(n, 8u);
  // Resuming a finished sweep runs nothing.
  const test::CommandResult again = cosim(args + " --out " + killed + " --resume");
  EXPECT_NE(again.out.find("0 ran now, 8 from the journal"), std::string::npos) << again.out;
}

// Ctrl-C (SIGINT to the process group, as a terminal sends it) ends a sweep at once with one line: how many
// configurations the journal keeps, exactly, and the command that goes on; going on finishes the sweep.
TEST(CosimSweep, CtrlCSaysWhatWasKeptAndHowToResume) {
  const std::string spec = small_spec(true), out = temp("interrupted");
  const std::string args = "sweep " + spec + " --jobs 1 --quiet --out " + out;
  const test::CommandResult r = test::run_cosim_and_signal(
      args, [&] { return lines_of(out + "/journal.jsonl") >= 3; }, SIGINT);
  EXPECT_EQ(r.code, 130) << r.err;
  ASSERT_EQ(test::cosim_lines(r.err), 1) << r.err;
  const size_t kept = lines_of(out + "/journal.jsonl") - 1;
  ASSERT_GE(kept, 2u);
  ASSERT_LT(kept, 8u) << "interrupted before the end";
  EXPECT_NE(r.err.find("cosim: interrupted: " + std::to_string(kept) + " configurations are kept in " + out +
                       "/journal.jsonl; to go on, run the same command with --resume --out " + out),
            std::string::npos)
      << r.err;
  EXPECT_FALSE(std::filesystem::exists(out + "/points.csv"));
  const test::CommandResult resumed = cosim(args + " --resume");
  ASSERT_EQ(resumed.code, 0) << resumed.err;
  EXPECT_NE(resumed.out.find(std::to_string(kept) + " from the journal"), std::string::npos) << resumed.out;
}

TEST(CosimSweep, MpiRanksGiveTheSameResultsAsASerialRun) {
  const std::string spec = small_spec(true), serial = temp("serial"), mpi = temp("mpi");
  ASSERT_EQ(cosim("sweep " + spec + " --jobs 1 --quiet --out " + serial).code, 0);
  const test::CommandResult r =
      cosim("sweep " + spec + " --jobs 1 --quiet --out " + mpi, std::string(kMpirun) + " 3");
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(slurp(serial + "/points.csv"), slurp(mpi + "/points.csv"));
  EXPECT_EQ(slurp(serial + "/front.csv"), slurp(mpi + "/front.csv"));
  // Rank 0 alone writes the results; the other ranks ran configurations too.
  int a = 0, b = 0, c = 0;
  const size_t at = r.out.find("MPI: 3 ranks ran 8 configurations (");
  ASSERT_NE(at, std::string::npos) << r.out;
  ASSERT_EQ(
      std::sscanf(r.out.c_str() + at, "MPI: 3 ranks ran 8 configurations (%d, %d, %d each)", &a, &b, &c), 3);
  EXPECT_EQ(a + b + c, 8);
  EXPECT_GT(b + c, 0) << r.out;
  const std::string serial_summary = slurp(serial + "/summary.txt");
  EXPECT_EQ(std::count(r.out.begin(), r.out.end(), '\n'),
            std::count(serial_summary.begin(), serial_summary.end(), '\n') + 1)
      << "one summary (rank 0's) plus the MPI line:\n"
      << r.out;
}

TEST(CosimSweep, SearchEvaluationsRunAcrossMpiRanksWithTheSameFront) {
  const std::string args =
      "search --energy --space cnn_cifar --budget 24 --population 8 --seed 4 --jobs 1 --quiet";
  ASSERT_EQ(cosim(args + " --out " + temp("search_serial")).code, 0);
  const test::CommandResult r = cosim(args + " --out " + temp("search_mpi"), std::string(kMpirun) + " 2");
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(slurp(temp("search_serial") + "/front.csv"), slurp(temp("search_mpi") + "/front.csv"));
  EXPECT_EQ(slurp(temp("search_serial") + "/evaluations.csv"),
            slurp(temp("search_mpi") + "/evaluations.csv"));
}

TEST(CosimSweep, BadSpecsGetOneLineAndNoResults) {
  const std::string bad = temp("bad.json");
  struct Case {
    std::string spec, expected;
  };
  const std::vector<Case> cases = {
      {R"({"format": "cosim-sweep/1", "parameters": {"chunks.mac.colums": [8]}})",
       "unknown field \"colums\""},
      {R"({"format": "cosim-sweep/1", "parameters": {"chunks.mac.rows": {"from": 8, "to": 4, "step": 1}}})",
       "the range is empty"},
      {R"({"format": "cosim-sweep/1", "parameters": {"global_buffer.size": ["512 KiB", "-1 KiB"]}})",
       "/parameters/global_buffer.size: the architecture rejects \"-1 KiB\""},
  };
  for (const Case& c : cases) {
    std::ofstream(bad) << c.spec;
    const std::string out = temp("bad_out");
    const test::CommandResult r = cosim("sweep " + bad + " --out " + out);
    EXPECT_EQ(r.code, 2) << c.spec;
    EXPECT_NE(r.err.find(c.expected), std::string::npos) << r.err;
    EXPECT_EQ(r.err.rfind("cosim: error: " + bad, 0), 0u) << r.err;
    EXPECT_EQ(test::cosim_lines(r.err), 1) << r.err;
    EXPECT_FALSE(std::filesystem::exists(out)) << "no partial results";
    // Under mpirun every rank reads the spec; one line still.
    const test::CommandResult m = cosim("sweep " + bad + " --out " + out, std::string(kMpirun) + " 2");
    EXPECT_NE(m.code, 0);
    EXPECT_EQ(test::cosim_lines(m.err), 1) << m.err;
  }
  EXPECT_EQ(cosim("sweep --set chunks.mac.rows=").code, 2);
  for (const char* bad_option :
       {"--random -3", "--random 0", "--seed -1", "--area-budget -5", "--area-budget 0", "--objectives speed",
        "--mapping-objective fast", "--jobs x"}) {
    const test::CommandResult r = cosim(std::string("sweep --set chunks.mac.rows=8,16 ") + bad_option);
    EXPECT_EQ(r.code, 2) << bad_option;
    EXPECT_EQ(test::cosim_lines(r.err), 1) << bad_option << ": " << r.err;
  }
  EXPECT_EQ(cosim("sweep /nonexistent/sweep.json").code, 2);
  // Values the architecture takes but no workload can run on: one line naming a point and the reason.
  const test::CommandResult none = cosim(
      "sweep --set chunks.mac.bits.act+chunks.mac.bits.weight=4,6 --workload vit "
      "--quiet --out " +
      temp("none"));
  EXPECT_EQ(none.code, 2);
  EXPECT_NE(none.err.find("none of the 2 configurations could run the workloads; point 0"), std::string::npos)
      << none.err;
  EXPECT_EQ(test::cosim_lines(none.err), 1) << none.err;
  EXPECT_FALSE(std::filesystem::exists(temp("none") + "/points.csv"));
  EXPECT_EQ(cosim("sweep --set chunks.mac.rows=8 --workload nosuch").code, 2);
}

}  // namespace
}  // namespace cosim
