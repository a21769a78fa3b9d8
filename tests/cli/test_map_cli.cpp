// `cosim map` and the mapping options of `cosim run`, as a user runs them.
#include <gtest/gtest.h>

#include <unistd.h>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "support/cosim_command.hpp"

namespace {

using cosim::test::slurp;
using Result = cosim::test::CommandResult;

std::string temp(const std::string& name) {
  return cosim::test::temp_path("map_" + name);
}

Result cosim(const std::string& args) {
  return cosim::test::run_cosim(args);
}

void write(const std::string& path, const std::string& text) {
  std::ofstream(path) << text;
}

TEST(CosimMap, TableShowsLoopNestsCostsSearchAndSchedule) {
  const Result r = cosim("map workloads/vit.json");
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.err, "");
  for (const char* s :
       {"DeiT-Small on default", "objective edp", "mappings considered", "block11.fc2", "loop nest",
        "OS m>rows n>cols", "schedule", "layer by layer", "pipelined", "chunk allocation", "mac       16x16",
        "in/w/out at", "GLB/DRAM (prefetched)/GLB", " | n16x32 m13x16 k1x384"}) {
    EXPECT_NE(r.out.find(s), std::string::npos) << s << "\n" << r.out;
  }
  // The sparse engine's rows: both phases show the per-head split of its lines between the two engines.
  for (const char* row : {"block0.attn.qk ", "block0.attn.sv "}) {
    const size_t at = r.out.find(row);
    ASSERT_NE(at, std::string::npos) << row;
    const std::string line = r.out.substr(at, r.out.find('\n', at) - at);
    EXPECT_NE(line.find("33+31 lines"), std::string::npos) << line;
  }
}

TEST(CosimMap, JsonRoundTripsThroughRunMapping) {
  const std::string file = temp("vit_mapping.json");
  const Result m = cosim("map workloads/vit.json --objective latency --format json -o " + file);
  ASSERT_EQ(m.code, 0) << m.err;
  const nlohmann::json j = nlohmann::json::parse(slurp(file));
  EXPECT_EQ(j["format"], "cosim-mapping/1");
  EXPECT_GT(j["mappings_considered"].get<uint64_t>(), 10000u);
  EXPECT_TRUE(j["seconds"].is_number());  // how long it took is a benchmark figure (bench/), not a test
  // The layers mapped as the file says give exactly the run the mapper's own choice gives.
  const Result a = cosim("run workloads/vit.json --objective latency --format json");
  const Result b = cosim("run workloads/vit.json --objective energy --mapping " + file + " --format json");
  ASSERT_EQ(a.code, 0) << a.err;
  ASSERT_EQ(b.code, 0) << b.err;
  const nlohmann::json ja = nlohmann::json::parse(a.out), jb = nlohmann::json::parse(b.out);
  EXPECT_EQ(ja["total"]["cycles"], jb["total"]["cycles"]);
  EXPECT_EQ(ja["total"]["energy_pJ"]["total"], jb["total"]["energy_pJ"]["total"]);
  // Predicted alone vs simulated in the network: the same mapping, so the same tiles.
  for (size_t i = 0; i < j["layers"].size(); ++i) {
    if (!j["layers"][i].contains("tile")) continue;
    EXPECT_EQ(j["layers"][i]["tile"][0], ja["layers"][i]["mapping"]["tile"]["m"]) << i;
    EXPECT_EQ(j["layers"][i]["glb_tile"][1], ja["layers"][i]["mapping"]["glb_tile"]["k"]) << i;
    EXPECT_EQ(j["layers"][i]["glb_tile"][2], ja["layers"][i]["mapping"]["glb_tile"]["n"]) << i;
  }
}

TEST(CosimRun, FixedMappingStillAvailable) {
  const Result r = cosim("run workloads/vit.json --mapping fixed");
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("mapped by the fixed rule"), std::string::npos);
  EXPECT_NE(r.out.find("area            5.6"), std::string::npos) << "the default accelerator's area";
}

TEST(CosimRun, PipelinedRunReportsThroughput) {
  const Result r = cosim("run workloads/resnet20_hybrid.json --pipeline 4");
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("throughput      4 items"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("conv1#3"), std::string::npos);
}

TEST(CosimMap, AllocateWritesABalancedArchitectureThatRuns) {
  const std::string arch = temp("balanced.json");
  const Result m = cosim("map workloads/resnet20_hybrid.json --allocate --pipeline 16 --write-arch " + arch);
  ASSERT_EQ(m.code, 0) << m.err;
  EXPECT_NE(m.out.find("balanced ("), std::string::npos);
  EXPECT_NE(m.out.find("equal split"), std::string::npos);
  const Result r = cosim("run workloads/resnet20_hybrid.json --pipeline 16 --arch " + arch);
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("default_balanced"), std::string::npos);
}

TEST(CosimMapErrors, BadMappingFilesGetOneLine) {
  struct Case {
    const char* text;
    const char* expect;
  };
  const Case cases[] = {
      {"{}", "missing required field \"format\""},
      {R"({"format": "cosim-mapping/1", "layers": [{"layer": "block0.fc1", "dataflow": "diagonal", "tile": [1,1,1], "loop_order": "g n m k"}]})",
       "/layers/0/dataflow"},
      {R"({"format": "cosim-mapping/1", "layers": [{"layer": "block0.fc1", "dataflow": "output_stationary", "tile": [197,384,1536], "loop_order": "g n m k"}]})",
       "does not fit half of chunk \"mac\"'s input buffer"},
      {R"({"format": "cosim-mapping/1", "layers": [{"layer": "block0.fc1", "dataflow": "output_stationary", "tile": [500,1,1], "loop_order": "g n m k"}]})",
       "tile exceeds layer \"block0.fc1\""},
      {R"({"format": "cosim-mapping/1", "layers": [{"layer": "block0.ln1", "tile_elements": 7}]})",
       "/layers/0/tile_elements"},
      {R"({"format": "cosim-mapping/1", "layers": [{"layer": "block0.fc1", "tile_elements": 384}]})",
       "is a GEMM layer"},
      {R"({"format": "cosim-mapping/1", "layers": [{"layer": "block0.fc1", "dataflow": "output_stationary", "tile": [1,1], "loop_order": "g n m k"}]})",
       "expected [Mt, Kt, Nt]"},
      {R"({"format": "cosim-mapping/1", "layers": [{"layer": "block0.fc9", "dataflow": "output_stationary", "tile": [1,1,1], "loop_order": "g n m k"}]})",
       "no layer \"block0.fc9\""},
      {R"({"format": "cosim-mapping/1", "layers": [{"layer": "block0.fc1", "tile_elements": 384}, {"layer": "block0.fc1", "tile_elements": 384}]})",
       "listed twice"},
      {R"({"format": "cosim-mapping/1", "layers": [{"layer": "block0.fc1", "dataflow": "output_stationary", "tile": [16,384,32], "loop_order": "g n m k", "glb_tile": [197,1536], "glb_loop_order": "g n m"}]})",
       "/layers/0/glb_tile: the global-buffer tile of layer \"block0.fc1\" needs"},
      {R"({"format": "cosim-mapping/1", "layers": [{"layer": "block0.fc1", "dataflow": "output_stationary", "tile": [16,384,32], "loop_order": "g n m k", "glb_tile": [197,48], "glb_loop_order": "g n m"}]})",
       "is the whole dimension or a multiple of the tile"},
      {R"({"format": "cosim-mapping/1", "layers": [{"layer": "block0.fc1", "dataflow": "output_stationary", "tile": [16,384,32], "loop_order": "g n m k", "glb_tile": [197,3072], "glb_loop_order": "g n m"}]})",
       "global-buffer tile exceeds layer"},
      {R"({"format": "cosim-mapping/1", "layers": [{"layer": "block0.fc1", "dataflow": "output_stationary", "tile": [16,384,32], "loop_order": "g n m k", "glb_tile": [197,64], "glb_loop_order": "g k"}]})",
       "/layers/0/glb_loop_order"},
  };
  int i = 0;
  for (const Case& c : cases) {
    const std::string file = temp("bad_mapping_" + std::to_string(i++) + ".json");
    write(file, c.text);
    const Result r = cosim("run workloads/vit.json --mapping " + file);
    EXPECT_EQ(r.code, 2) << c.text;
    EXPECT_EQ(r.out, "") << "no partial report";
    EXPECT_NE(r.err.find(file), std::string::npos) << r.err;
    EXPECT_NE(r.err.find(c.expect), std::string::npos) << r.err;
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
  }
  const Result missing = cosim("run workloads/vit.json --mapping /nonexistent/m.json");
  EXPECT_EQ(missing.code, 2);
  const Result objective = cosim("map workloads/vit.json --objective speed");
  EXPECT_EQ(objective.code, 2);
  const Result write_arch = cosim("map workloads/vit.json --write-arch /tmp/x.json");
  EXPECT_EQ(write_arch.code, 2);
  EXPECT_NE(write_arch.err.find("--write-arch needs --allocate"), std::string::npos);
}

}  // namespace
