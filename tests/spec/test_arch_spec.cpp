// Architecture files: the presets read as documented, and each kind of bad field is refused with its file,
// JSON pointer and problem.
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

#include "model/area_model.hpp"
#include "spec/input_error.hpp"
#include "support/test_files.hpp"

namespace cosim {
namespace {

using test::arch_with;
using test::source_path;

TEST(ArchSpec, DefaultPresetHasTheBriefsTemplate) {
  ArchSpec a = read_arch(source_path("arch/default.json"));
  EXPECT_DOUBLE_EQ(a.clock_hz, 500e6);
  ASSERT_EQ(a.chunks.size(), 3u);
  for (const ChunkSpec& c : a.chunks) {
    EXPECT_EQ(c.rows, 16);
    EXPECT_EQ(c.cols, 16);
  }
  EXPECT_NE(a.chunk_for(OpType::Mult), nullptr);
  EXPECT_NE(a.chunk_for(OpType::Shift), nullptr);
  EXPECT_NE(a.chunk_for(OpType::Adder), nullptr);
  EXPECT_EQ(a.chunk_for(OpType::Shift)->pe.act_bits, 16);
  EXPECT_EQ(a.global_buffer.size, 512u * 1024);
  EXPECT_DOUBLE_EQ(a.dram.rate.per_cycle(), 76.8e9 / 500e6);
  EXPECT_EQ(a.dram.latency_cycles, 50u);
  // Technology numbers of the brief (Horowitz 2014), interpolated where needed.
  EXPECT_DOUBLE_EQ(a.technology.int_mult_pJ(8), 0.2);
  EXPECT_DOUBLE_EQ(a.technology.int_add_pJ(32), 0.1);
  EXPECT_DOUBLE_EQ(a.technology.sram_access_64b_pJ(32 * 1024), 20);
  EXPECT_DOUBLE_EQ(a.technology.dram_access_64b_pJ(), 1300);
  EXPECT_GT(a.technology.sram_access_64b_pJ(512 * 1024), 20);
  EXPECT_LT(a.technology.sram_access_64b_pJ(512 * 1024), 100);
}

// The shipped 45 nm table holds the published figures the brief lists (Horowitz, ISSCC 2014; ShiftAddNAS /
// ShiftAddNet for shifts; Mistry 2007 for SRAM area), including those no preset uses today.
TEST(ArchSpec, ShippedTechnologyTableHasTheCitedFigures) {
  const Technology& t = read_arch(source_path("arch/default.json")).technology;
  EXPECT_DOUBLE_EQ(t.int_add_pJ(8), 0.03);
  EXPECT_DOUBLE_EQ(t.int_add_pJ(32), 0.1);
  EXPECT_DOUBLE_EQ(t.int_mult_pJ(8), 0.2);
  EXPECT_DOUBLE_EQ(t.int_mult_pJ(32), 3.1);
  EXPECT_DOUBLE_EQ(t.shift_pJ(8), 0.024);
  EXPECT_DOUBLE_EQ(t.shift_pJ(32), 0.13);
  EXPECT_DOUBLE_EQ(t.action_pJ("fp16_add"), 0.4);
  EXPECT_DOUBLE_EQ(t.action_pJ("fp16_mult"), 1.1);
  EXPECT_DOUBLE_EQ(t.action_pJ("fp32_add"), 0.9);
  EXPECT_DOUBLE_EQ(t.action_pJ("fp32_mult"), 3.7);
  EXPECT_DOUBLE_EQ(t.sram_access_64b_pJ(8 * 1024), 10);
  EXPECT_DOUBLE_EQ(t.sram_access_64b_pJ(32 * 1024), 20);
  EXPECT_DOUBLE_EQ(t.sram_access_64b_pJ(1024 * 1024), 100);
  EXPECT_DOUBLE_EQ(t.dram_access_64b_pJ(), 1300);
  EXPECT_DOUBLE_EQ(t.pe_idle_pJ_per_cycle(), 0.02);
  EXPECT_DOUBLE_EQ(t.pe_leakage_pJ_per_cycle(), 0.005);
  EXPECT_DOUBLE_EQ(t.sram_leakage_pJ_per_KiB_cycle(), 0.02);
  EXPECT_DOUBLE_EQ(t.int_add_um2(8), 36);
  EXPECT_DOUBLE_EQ(t.int_add_um2(32), 137);
  EXPECT_DOUBLE_EQ(t.int_mult_um2(8), 282);
  EXPECT_DOUBLE_EQ(t.int_mult_um2(32), 3495);
  EXPECT_DOUBLE_EQ(t.shift_um2(8), 34);
  EXPECT_DOUBLE_EQ(t.shift_um2(32), 157);
  EXPECT_DOUBLE_EQ(t.sram_um2_per_KiB(), 4800);
}

// The default shift chunk holds DeepShift weights of 6 bits (sign + 5-bit exponent): a 6-bit layer runs, a
// 7-bit one is refused naming the layer and the widths.
TEST(ArchSpec, DefaultShiftChunkTakesSixBitWeightsAndNoWider) {
  const ArchSpec a = read_arch(source_path("arch/default.json"));
  auto net = [&](int weight_bits) {
    return test::network_with("workloads/resnet20_hybrid.json",
                              [&](auto& j) { j["defaults"]["bits"]["shift"]["weight"] = weight_bits; });
  };
  EXPECT_NO_THROW(check_supported(net(6), a));
  try {
    check_supported(net(7), a);
    FAIL() << "a 7-bit shift weight ran on a 6-bit shift chunk";
  } catch (const InputError& e) {
    EXPECT_NE(e.problem().find("7-bit"), std::string::npos) << e.what();
  }
}

TEST(ArchSpec, OtherPresetsRead) {
  ArchSpec s = read_arch(source_path("arch/systolic32.json"));
  ASSERT_EQ(s.chunks.size(), 1u);
  EXPECT_EQ(s.chunks[0].pes(), 1024);
  ArchSpec e = read_arch(source_path("arch/eyeriss_like.json"));
  ASSERT_EQ(e.chunks.size(), 1u);
  EXPECT_EQ(e.chunks[0].rows, 12);
  EXPECT_EQ(e.chunks[0].cols, 14);
  EXPECT_EQ(e.global_buffer.size, 108u * 1024);
  EXPECT_TRUE(e.global_buffer.weights_bypass);
  EXPECT_FALSE(s.global_buffer.weights_bypass);
}

struct BadArch {
  const char* what;
  std::function<void(nlohmann::json&)> edit;
  const char* pointer;
  const char* problem;
};

class BadArchFile : public testing::TestWithParam<BadArch> {};

TEST_P(BadArchFile, IsRefusedWithFilePointerAndProblem) {
  const BadArch& b = GetParam();
  try {
    arch_with("arch/default.json", b.edit);
    FAIL() << "accepted: " << b.what;
  } catch (const InputError& e) {
    EXPECT_EQ(e.file(), source_path("arch/default.json"));
    EXPECT_EQ(e.path(), b.pointer) << e.what();
    EXPECT_NE(e.problem().find(b.problem), std::string::npos) << e.what();
  }
}

INSTANTIATE_TEST_SUITE_P(
    Cases, BadArchFile,
    testing::Values(
        BadArch{"missing clock", [](auto& j) { j.erase("clock"); }, "/", "missing required field \"clock\""},
        BadArch{"clock without unit", [](auto& j) { j["clock"] = 500; }, "/clock", "expected a frequency"},
        BadArch{"activations bypassing the global buffer",
                [](auto& j) {
                  j["global_buffer"]["bypass"] = {"weights", "inputs"};
                },
                "/global_buffer/bypass/1", "unknown value \"inputs\"; expected one of: weights"},
        BadArch{"clock as a size", [](auto& j) { j["clock"] = "500 MB"; }, "/clock", "is a size"},
        BadArch{"typo in a chunk field", [](auto& j) { j["chunks"][0]["colums"] = 16; }, "/chunks/0/colums",
                "unknown field \"colums\""},
        BadArch{"zero rows", [](auto& j) { j["chunks"][1]["rows"] = 0; }, "/chunks/1/rows",
                "expected an integer in"},
        BadArch{"negative cols", [](auto& j) { j["chunks"][2]["cols"] = -4; }, "/chunks/2/cols", "found -4"},
        BadArch{"unknown operator", [](auto& j) { j["chunks"][0]["op"] = "divide"; }, "/chunks/0/op",
                "unknown value \"divide\""},
        BadArch{"unknown dataflow", [](auto& j) { j["chunks"][0]["dataflows"][0] = "row_stationary"; },
                "/chunks/0/dataflows/0", "expected one of"},
        BadArch{"transposed output-stationary on shift PEs (x << w does not commute)",
                [](auto& j) {
                  j["chunks"][1]["dataflows"] = {"output_stationary", "output_stationary_transposed"};
                },
                "/chunks/1/dataflows/1", "needs a PE whose operation commutes"},
        BadArch{"transposed output-stationary with operands of two widths",
                [](auto& j) {
                  j["chunks"][0]["bits"]["weight"] = 4;
                  j["chunks"][0]["dataflows"] = {"output_stationary_transposed"};
                },
                "/chunks/0/dataflows/0", "act and weight of one width"},
        BadArch{"accumulator narrower than activations", [](auto& j) { j["chunks"][0]["bits"]["acc"] = 6; },
                "/chunks/0/bits/acc", "narrower than the activation"},
        BadArch{"duplicate chunk name", [](auto& j) { j["chunks"][1]["name"] = "mac"; }, "/chunks/1/name",
                "used twice"},
        BadArch{"no chunks", [](auto& j) { j["chunks"] = nlohmann::json::array(); }, "/chunks",
                "at least one chunk"},
        BadArch{"bandwidth as a size", [](auto& j) { j["dram"]["bandwidth"] = "76.8 GB"; }, "/dram/bandwidth",
                "expected a bandwidth"},
        BadArch{"zero buffer", [](auto& j) { j["chunks"][0]["buffers"]["input"] = "0 KiB"; },
                "/chunks/0/buffers/input", "> 0"},
        BadArch{"unknown vector action",
                [](auto& j) { j["vector_unit"]["ops"]["gelu"]["actions"]["fp8_mult"] = 1; },
                "/vector_unit/ops/gelu/actions/fp8_mult", "unknown action"},
        BadArch{"vector op left to a default the inline table cannot price",
                [](auto& j) {
                  j["technology"] = test::load_json("arch/tech/45nm.json");
                  j["technology"]["energy"]["actions"].erase("fp16_add");
                  j["vector_unit"]["ops"].erase("softmax");
                },
                "/vector_unit/ops", "the default cost of softmax needs the action \"fp16_add\""},
        BadArch{"vector actions not an object",
                [](auto& j) { j["vector_unit"]["ops"]["add"]["actions"] = 3; },
                "/vector_unit/ops/add/actions", "expected an object of action counts"},
        BadArch{"missing technology file", [](auto& j) { j["technology"] = "tech/none.json"; }, "/technology",
                "no such file or arch/tech preset (presets: 45nm)"},
        BadArch{"unknown technology preset", [](auto& j) { j["technology"] = "7nm"; }, "/technology",
                "technology \"7nm\": no such file or arch/tech preset (presets: 45nm)"},
        BadArch{"wrong format tag", [](auto& j) { j["format"] = "timeloop"; }, "/format", "cosim-arch/1"},
        BadArch{"absurd DRAM latency", [](auto& j) { j["dram"]["latency"] = "1e30 s"; }, "/dram/latency",
                "more than the 1e9"},
        BadArch{"vanishing bandwidth", [](auto& j) { j["dram"]["bandwidth"] = "1e-30 GB/s"; },
                "/dram/bandwidth", "outside [0.001, 1e9]"},
        BadArch{"clock out of range", [](auto& j) { j["clock"] = "1 Hz"; }, "/clock",
                "between 1 kHz and 100 GHz"},
        BadArch{"bad encoder ratio", [](auto& j) { j["sparse_attention"]["encoder"]["ratio"] = "2/0"; },
                "/sparse_attention/encoder/ratio", "must be in (0, 1]"},
        BadArch{"sparse engine without buffers", [](auto& j) { j["sparse_attention"].erase("buffers"); },
                "/sparse_attention", "missing required field \"buffers\""}),
    [](const testing::TestParamInfo<BadArch>& info) {
      std::string n = info.param.what;
      for (char& c : n) c = std::isalnum(static_cast<unsigned char>(c)) ? c : '_';
      return n;
    });

// Vector ops the file leaves out cost the documented defaults (docs/architecture-format.md), which the
// default preset spells out: the same figures either way.
TEST(ArchSpec, VectorOpsLeftOutCostTheDocumentedDefaults) {
  const ArchSpec spelled = test::arch_with("arch/default.json", [](auto&) {});
  const ArchSpec bare = test::arch_with("arch/default.json", [](auto& j) { j["vector_unit"].erase("ops"); });
  const ArchSpec one = test::arch_with("arch/default.json", [](auto& j) {
    j["vector_unit"]["ops"] = {{"gelu", {{"cycles_per_element", 7}, {"actions", {{"fp16_mult", 1}}}}}};
  });
  const std::map<VectorOp, int> cycles = {
      {VectorOp::Softmax, 4},   {VectorOp::Layernorm, 3}, {VectorOp::Gelu, 2}, {VectorOp::Add, 1},
      {VectorOp::Pool, 1},      {VectorOp::Concat, 1},    {VectorOp::Relu, 1}, {VectorOp::Clip, 1},
      {VectorOp::Sigmoid, 3},   {VectorOp::Tanh, 3},      {VectorOp::Silu, 3}, {VectorOp::HardSigmoid, 2},
      {VectorOp::HardSwish, 2}, {VectorOp::Mul, 1},       {VectorOp::Div, 2},  {VectorOp::BatchNorm, 1},
      {VectorOp::Copy, 1}};
  const double add = spelled.technology.action_pJ("fp16_add"),
               mult = spelled.technology.action_pJ("fp16_mult");
  const std::map<VectorOp, double> pJ = {{VectorOp::Softmax, 4 * add + 4 * mult},
                                         {VectorOp::Layernorm, 3 * add + 3 * mult},
                                         {VectorOp::Gelu, 2 * add + 4 * mult},
                                         {VectorOp::Add, add},
                                         {VectorOp::Pool, add},
                                         {VectorOp::Concat, 0.0},
                                         {VectorOp::Relu, add},
                                         {VectorOp::Clip, 2 * add},
                                         {VectorOp::Sigmoid, 3 * add + 4 * mult},
                                         {VectorOp::Tanh, 4 * add + 4 * mult},
                                         {VectorOp::Silu, 3 * add + 5 * mult},
                                         {VectorOp::HardSigmoid, 3 * add + mult},
                                         {VectorOp::HardSwish, 3 * add + 2 * mult},
                                         {VectorOp::Mul, mult},
                                         {VectorOp::Div, add + 3 * mult},
                                         {VectorOp::BatchNorm, add + mult},
                                         {VectorOp::Copy, 0.0}};
  for (VectorOp op : kVectorOps) {
    EXPECT_EQ(bare.vector_unit.ops.at(op).cycles_per_element, cycles.at(op)) << to_string(op);
    EXPECT_DOUBLE_EQ(bare.vector_unit.ops.at(op).energy_pJ_per_element, pJ.at(op)) << to_string(op);
    EXPECT_EQ(spelled.vector_unit.ops.at(op).actions, bare.vector_unit.ops.at(op).actions) << to_string(op);
  }
  EXPECT_EQ(one.vector_unit.ops.at(VectorOp::Gelu).cycles_per_element, 7);
  EXPECT_DOUBLE_EQ(one.vector_unit.ops.at(VectorOp::Gelu).energy_pJ_per_element, mult);
  EXPECT_EQ(one.vector_unit.ops.at(VectorOp::Softmax).cycles_per_element, 4);
}

// A preset copied elsewhere keeps working: "45nm" names the shipped table; a relative path is read from the
// folder of the file that names it, and an architecture written elsewhere gets it as an absolute path.
TEST(ArchSpec, TechnologyByPresetNameOrPathFromTheNamingFile) {
  namespace fs = std::filesystem;
  const fs::path dir = fs::temp_directory_path() / ("cosim-tech-" + std::to_string(::getpid()));
  fs::create_directories(dir / "tables");
  fs::copy_file(test::source_path("arch/tech/45nm.json"), dir / "tables" / "mine.json",
                fs::copy_options::overwrite_existing);
  nlohmann::json j = test::load_json("arch/default.json");
  ASSERT_EQ(j["technology"], "45nm");
  std::ofstream(dir / "by_name.json") << j.dump();
  j["technology"] = "tables/mine.json";
  std::ofstream(dir / "by_path.json") << j.dump();
  const ArchSpec by_name = read_arch((dir / "by_name.json").string());
  const ArchSpec by_path = read_arch((dir / "by_path.json").string());
  EXPECT_EQ(fs::path(by_name.technology_file),
            fs::path(test::source_path("arch/tech/45nm.json")).lexically_normal());
  EXPECT_EQ(fs::path(by_path.technology_file), (dir / "tables" / "mine.json").lexically_normal());
  EXPECT_EQ(by_name.technology.content, by_path.technology.content);
  EXPECT_EQ(with_portable_technology(j, (dir / "by_path.json").string())["technology"],
            (dir / "tables" / "mine.json").lexically_normal().string());
  j["technology"] = "45nm";
  EXPECT_EQ(with_portable_technology(j, (dir / "by_name.json").string())["technology"], "45nm");
  fs::remove_all(dir);
}

TEST(ArchSpec, TechnologyEntryWithUnknownSourceIsRefused) {
  nlohmann::json j = test::load_json("arch/default.json");
  j["technology"] = test::load_json("arch/tech/45nm.json");
  j["technology"]["energy"]["int_add"][0]["source"] = "hearsay";
  try {
    read_arch(JsonField::from(j, "inline.json"));
    FAIL();
  } catch (const InputError& e) {
    EXPECT_EQ(e.path(), "/technology/energy/int_add/0/source");
    EXPECT_NE(e.problem().find("not listed under /sources"), std::string::npos);
  }
}

// Strict JSON: a key twice in one object is named by its pointer; a number beyond double range and a
// directory are one InputError each, never an internal error.
TEST(StrictJson, DuplicateKeysHugeNumbersAndDirectoriesAreRefused) {
  const std::string dir = testing::TempDir() + "strict_" + std::to_string(::getpid());
  std::filesystem::create_directories(dir);
  auto refused = [&](const std::string& text) -> InputError {
    std::ofstream(dir + "/f.json") << text;
    try {
      JsonField::load(dir + "/f.json");
    } catch (const InputError& e) {
      return e;
    }
    ADD_FAILURE() << "accepted: " << text;
    return InputError("", "", "");
  };
  const InputError dup = refused(R"({"a": [{"x": 1}, {"y": 2, "y": 3}]})");
  EXPECT_EQ(dup.path(), "/a/1/y");
  EXPECT_NE(dup.problem().find("appears twice"), std::string::npos) << dup.what();
  EXPECT_EQ(refused(R"({"k~/": 1, "k~/": 2})").path(), "/k~0~1");
  EXPECT_NE(refused(R"({"x": 1e400})").problem().find("beyond the range of a double"), std::string::npos);
  EXPECT_NE(refused("").problem().find("invalid JSON"), std::string::npos);
  try {
    JsonField::load(dir);
    ADD_FAILURE() << "a directory was read";
  } catch (const InputError& e) {
    EXPECT_NE(e.problem().find("is a directory"), std::string::npos);
  }
  EXPECT_NO_THROW(JsonField::load(source_path("arch/default.json")));
  std::filesystem::remove_all(dir);
}

TEST(ArchSpec, MissingFileAndInvalidJsonNameTheFile) {
  try {
    read_arch("/nonexistent/arch.json");
    FAIL();
  } catch (const InputError& e) {
    EXPECT_EQ(e.file(), "/nonexistent/arch.json");
    EXPECT_NE(e.problem().find("cannot open"), std::string::npos);
  }
  const std::string bad = testing::TempDir() + "bad_arch.json";
  std::ofstream(bad) << "{\n  \"format\": \"cosim-arch/1\",\n  \"clock\": 500 MHz\n}\n";
  try {
    read_arch(bad);
    FAIL();
  } catch (const InputError& e) {
    EXPECT_NE(e.problem().find("invalid JSON at line 3"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace cosim

namespace cosim {
namespace {

TEST(AreaModel, UnitsFromTheTechnologyTableScaleWithPesAndBytes) {
  const ArchSpec a = read_arch(test::source_path("arch/default.json"));
  const ArchArea area = arch_area(a);
  ASSERT_EQ(area.units.size(), a.chunks.size() + 3);  // chunks, vector unit, sparse engine, global buffer
  EXPECT_EQ(area.units.back().unit, "global_buffer");
  EXPECT_DOUBLE_EQ(area.units.back().total_um2(), 512 * a.technology.sram_um2_per_KiB());
  EXPECT_DOUBLE_EQ(a.technology.sram_um2_per_KiB(), 4800);
  const double mac = area.units[0].compute_um2;
  EXPECT_DOUBLE_EQ(mac, 256 * pe_area_um2(a.technology, OpType::Mult, a.chunks[0].pe));
  const ArchArea bigger = arch_area(test::arch_with("arch/default.json", [](auto& j) {
    j["chunks"][0]["cols"] = 32;
    j["chunks"][0]["buffers"]["input"] = "64 KiB";
  }));
  EXPECT_DOUBLE_EQ(bigger.units[0].compute_um2, 2 * mac);
  EXPECT_DOUBLE_EQ(bigger.units[0].buffer_um2 - area.units[0].buffer_um2,
                   32 * a.technology.sram_um2_per_KiB());
  EXPECT_GT(bigger.total_mm2(), area.total_mm2());
  // The shift and adder PEs are smaller than the multiplier's (ShiftAddNet's premise), per PE.
  EXPECT_LT(area.units[1].compute_um2, mac);
  EXPECT_LT(area.units[2].compute_um2, mac);
}

}  // namespace
}  // namespace cosim
