// `cosim run` as a user runs it: the process, its exit code, its stdout and its stderr.
#include <gtest/gtest.h>

#include <unistd.h>
#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "support/cosim_command.hpp"
#include "support/shared_data.hpp"

namespace {

using cosim::test::slurp;
using Result = cosim::test::CommandResult;

// Runs cosim with `args` (shell words) from the source directory.
Result cosim(const std::string& args) {
  return cosim::test::run_cosim(args);
}

size_t lines(const std::string& s) {
  size_t n = 0;
  for (char c : s) n += c == '\n';
  return n;
}

TEST(CosimRun, TableShowsEveryLayerAndTotals) {
  Result r = cosim("run workloads/vit.json");
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.err, "");
  EXPECT_NE(r.out.find("DeiT-Small on default"), std::string::npos);
  EXPECT_NE(r.out.find("block11.fc2"), std::string::npos);
  EXPECT_NE(r.out.find("block0.attn.softmax"), std::string::npos);
  EXPECT_NE(r.out.find("total latency"), std::string::npos);
  EXPECT_NE(r.out.find("total energy"), std::string::npos);
  EXPECT_NE(r.out.find("traffic         DRAM "), std::string::npos);
}

TEST(CosimRun, JsonHasUnitsInFieldNamesAndConsistentTotals) {
  Result r = cosim("run workloads/vit.json --format json");
  ASSERT_EQ(r.code, 0) << r.err;
  nlohmann::json j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["workload"], "DeiT-Small");
  // 1 patch embedding + 12 blocks x (2 layernorms, 4 linears, 3 attention parts, 2 adds, gelu) + norm + head.
  EXPECT_EQ(j["layers"].size(), 1u + 12 * 12 + 2);
  const auto& t = j["total"];
  EXPECT_GT(t["cycles"].get<uint64_t>(), 0u);
  EXPECT_NEAR(t["time_us"].get<double>(), t["cycles"].get<double>() / 500.0, 1e-6);
  double sum = 0, dram = 0;
  uint64_t last_end = 0;
  for (const auto& l : j["layers"]) {
    dram += l["traffic_bytes"]["dram"].get<double>();
    for (const char* k : {"compute", "local_buffers", "global_buffer", "dram", "idle", "total"}) {
      ASSERT_TRUE(l["energy_pJ"].contains(k)) << k;
    }
    sum += l["energy_pJ"]["total"].get<double>();
    last_end = std::max(last_end, l["end_cycle"].get<uint64_t>());
  }
  EXPECT_EQ(last_end, t["cycles"].get<uint64_t>());
  EXPECT_DOUBLE_EQ(dram, t["traffic_bytes"]["dram"].get<double>());
  // DeiT-Small's int8 weights alone are 21.8 MB; its 150,528-B input and 1000-B result come on top.
  EXPECT_GT(t["compulsory_dram_bytes"].get<uint64_t>(), 21'800'000u);
  EXPECT_GE(t["traffic_bytes"]["dram"].get<double>(), t["compulsory_dram_bytes"].get<double>());
  EXPECT_NEAR(sum + t["energy_pJ"]["static"].get<double>(), t["energy_pJ"]["total"].get<double>(),
              1e-6 * t["energy_pJ"]["total"].get<double>());
}

// Layers only (totals are in the table and JSON formats), units in the column names.
TEST(CosimRun, CsvHasAHeaderWithUnitsAndARowPerLayer) {
  Result r = cosim("run workloads/resnet20_hybrid.json --format csv");
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out.rfind("layer,type,op,unit,macs,", 0), 0u);
  EXPECT_NE(r.out.find("time_us"), std::string::npos);
  EXPECT_NE(r.out.find("energy_total_pJ,dram_bytes,glb_bytes,input_buffer_bytes"), std::string::npos);
  EXPECT_EQ(r.out.find("TOTAL"), std::string::npos);
  EXPECT_NE(r.out.find("s1b1.conv1,conv2d,shift,shift,"), std::string::npos);
  Result j = cosim("run workloads/resnet20_hybrid.json --format json");
  EXPECT_EQ(size_t(std::count(r.out.begin(), r.out.end(), '\n')),
            nlohmann::json::parse(j.out)["layers"].size() + 1);
}

// RFC 4180: a layer name with a comma and quotes is one quoted field, its quotes doubled.
TEST(CosimRun, CsvQuotesFieldsWithCommasAndQuotes) {
  const std::string file = testing::TempDir() + "cosim_csv_quote_" + std::to_string(::getpid()) + ".json";
  std::ofstream(file) << R"({"format":"cosim-workload/1","name":"q","input":{"shape":[16],"bits":8},
      "defaults":{"op":"mult","bits":{"mult":{"act":8,"weight":8}}},
      "layers":[{"name":"fc, \"big\"","type":"linear","out_features":8}]})";
  Result r = cosim("run '" + file + "' --format csv");
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("\n\"fc, \"\"big\"\"\",linear,mult,mac,128,"), std::string::npos) << r.out;
}

TEST(CosimRun, PresetsByNameAndOutputFile) {
  const std::string out = testing::TempDir() + "cosim_report.json";
  std::remove(out.c_str());
  Result r = cosim("run workloads/mobilenetv2_cifar.json --arch systolic32 --format json -o '" + out + "'");
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out, "");
  nlohmann::json j = nlohmann::json::parse(slurp(out));
  EXPECT_EQ(j["arch"], "systolic32");
}

// Masks a hardware cannot use are said once on stderr and in the report, never dropped silently.
TEST(CosimRun, MasksWithoutASparseEngineAreSaidToBeUnused) {
  Result dense = cosim("run workloads/vit.json --arch systolic32 --format json");
  ASSERT_EQ(dense.code, 0) << dense.err;
  EXPECT_EQ(lines(dense.err), 1u) << dense.err;
  EXPECT_NE(dense.err.find("warning: 12 attention layer(s) of workloads/vit.json have masks"),
            std::string::npos)
      << dense.err;
  const nlohmann::json j = nlohmann::json::parse(dense.out);
  ASSERT_EQ(j["notes"].size(), 1u);
  EXPECT_NE(j["notes"][0].get<std::string>().find("no sparse-attention engine"), std::string::npos);
  Result engine = cosim("run workloads/vit.json --format json");
  ASSERT_EQ(engine.code, 0) << engine.err;
  EXPECT_EQ(engine.err, "");
  EXPECT_TRUE(nlohmann::json::parse(engine.out)["notes"].empty());
}

// Without --format the output file's extension picks the format; anything else is the table.
TEST(CosimRun, OutputFormatFollowsTheExtension) {
  const std::string base = testing::TempDir() + "cosim_ext_" + std::to_string(::getpid());
  ASSERT_EQ(cosim("run workloads/mobilenetv2_cifar.json -o '" + base + ".json'").code, 0);
  EXPECT_EQ(nlohmann::json::parse(slurp(base + ".json"))["workload"], "MobileNetV2-CIFAR");
  ASSERT_EQ(cosim("run workloads/mobilenetv2_cifar.json -o '" + base + ".csv'").code, 0);
  EXPECT_EQ(slurp(base + ".csv").rfind("layer,type,op,unit,", 0), 0u);
  ASSERT_EQ(cosim("run workloads/mobilenetv2_cifar.json -o '" + base + ".txt'").code, 0);
  EXPECT_NE(slurp(base + ".txt").find("total latency"), std::string::npos);
  ASSERT_EQ(cosim("run workloads/mobilenetv2_cifar.json --format json -o '" + base + ".out'").code, 0);
  EXPECT_NO_THROW(nlohmann::json::parse(slurp(base + ".out")));
}

TEST(CosimRun, HelpExplainsEveryOption) {
  Result r = cosim("run --help");
  EXPECT_EQ(r.code, 0);
  for (const char* opt : {"WORKLOAD", "--arch", "--format", "--output", "systolic32", "json"}) {
    EXPECT_NE(r.out.find(opt), std::string::npos) << opt;
  }
}

struct BadCall {
  const char* what;
  std::string args;
  std::string expect;  // text the one error line must contain
};

class CosimRunBadInput : public testing::TestWithParam<BadCall> {};

TEST_P(CosimRunBadInput, OneClearLineExitCode2NoOutput) {
  const BadCall& b = GetParam();
  Result r = cosim(b.args);
  EXPECT_EQ(r.code, 2) << r.err;
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(lines(r.err), 1u) << r.err;
  EXPECT_EQ(r.err.rfind("cosim: error: ", 0), 0u) << r.err;
  EXPECT_NE(r.err.find(b.expect), std::string::npos) << r.err;
}

// Files are per process: every test process of this binary writes them at start-up, and ctest runs several.
std::string temp_file(const std::string& name, const std::string& text) {
  const std::string p = testing::TempDir() + "cosim_cli_" + std::to_string(::getpid()) + "_" + name;
  std::ofstream(p) << text;
  return p;
}

INSTANTIATE_TEST_SUITE_P(
    Cases, CosimRunBadInput,
    testing::Values(
        BadCall{"missing_file", "run workloads/nope.json", "workloads/nope.json: cannot open file"},
        BadCall{"invalid_json", "run " + temp_file("invalid.json", "{\"format\": \"cosim-workload/1\",,}"),
                "invalid JSON at line 1"},
        BadCall{"unknown_layer_type",
                "run " + temp_file("unknown_type.json",
                                   R"({"format":"cosim-workload/1","name":"x","input":{"shape":[8],"bits":8},
                                       "layers":[{"name":"l","type":"lstm"}]})"),
                "/layers/0/type: unknown value \"lstm\""},
        BadCall{"operator_without_chunk", "run workloads/resnet20_hybrid.json --arch systolic32",
                "/layers/1/layers/0/op: layer \"s1b1.conv1\" uses operator \"shift\""},
        BadCall{"unknown_preset", "run workloads/vit.json --arch tpu9", "tpu9: no such file or arch preset"},
        BadCall{"bad_format_option", "run workloads/vit.json --format xml", "--format"},
        BadCall{"format_contradicts_extension", "run workloads/vit.json --format csv -o /tmp/x.json",
                "/tmp/x.json: --format csv contradicts the file's extension .json"},
        BadCall{"output_is_a_directory", "run workloads/vit.json -o " + testing::TempDir(), "is a directory"},
        BadCall{"output_folder_missing", "run workloads/vit.json -o /nonexistent/r.json",
                "its folder /nonexistent does not exist"},
        BadCall{"missing_workload_argument", "run", "WORKLOAD"},
        BadCall{"candidate_of_no_space", "run nosuch:1.2",
                "nosuch:1.2: no such workload file, nor a candidate of a search space"},
        BadCall{"candidate_with_too_few_genes", "run cnn_fmnist:1.2", "cnn_fmnist:1.2: expected 8 genes"},
        BadCall{"codesign_candidate_by_encoding", "run cnn_fmnist:0.0.0.0.0.0.0.0.1",
                "expected 8 genes, found 9 (a co-design candidate carries its accelerator's genes"},
        BadCall{"candidate_gene_overflows", "run cnn_fmnist:99999999999999999999999.0.0.0.0.0.0.0",
                "bad gene \"99999999999999999999999\""},
        BadCall{"candidate_empty_gene", "run cnn_fmnist:1..2.3.4.5.6.7.8", "bad gene \"\""},
        BadCall{"candidate_option_out_of_range", "run cnn_fmnist:99.0.0.0.0.0.0.0",
                "cnn_fmnist:99.0.0.0.0.0.0.0: gene out of range"},
        BadCall{"bad_arch_field",
                "run workloads/vit.json --arch " +
                    temp_file("bad_arch.json", R"({"format":"cosim-arch/1","name":"x","clock":"fast"})"),
                "/clock: expected a frequency"}),
    [](const testing::TestParamInfo<BadCall>& info) { return std::string(info.param.what); });

// --- sparse attention -------------------------------------------------------------------------------------

std::string shared_mask() {
  return cosim::test::vitcod_mask_path();
}

std::string npy_file(const std::string& name, const std::string& dict, size_t data_bytes) {
  std::string header = dict;
  while ((10 + header.size() + 1) % 64) header += ' ';
  header += '\n';
  std::string out = "\x93NUMPY";
  out += char(1);
  out += char(0);
  out += char(header.size() & 0xff);
  out += char(header.size() >> 8);
  out += header + std::string(data_bytes, '\0');
  return temp_file(name, out);
}

TEST(CosimRunSparse, RealMaskReportMatchesAnIndependentCount) {
  COSIM_REQUIRE_VITCOD_MASK();
  Result r = cosim("run workloads/deit_tiny_vitcod.json --format json --mask '" + shared_mask() + "'");
  ASSERT_EQ(r.code, 0) << r.err;
  nlohmann::json j = nlohmann::json::parse(r.out);
  // Count kept entries per key column straight from the file's bytes (the data follows the v1 header).
  const std::string raw = slurp(shared_mask());
  const size_t offset = 10 + (size_t(uint8_t(raw[8])) | size_t(uint8_t(raw[9])) << 8);
  uint64_t kept_all = 0, total = 0;
  int layer = 0;
  for (const auto& l : j["layers"]) {
    if (!l.contains("sparse_attention")) continue;
    const auto& heads = l["sparse_attention"]["heads"];
    ASSERT_EQ(heads.size(), 3u);
    for (int h = 0; h < 3; ++h) {
      const char* m = raw.data() + offset + (size_t(layer) * 3 + size_t(h)) * 197 * 197;
      int global = 0;
      uint64_t kept = 0;
      for (int k = 0; k < 197; ++k) {
        int col = 0;
        for (int q = 0; q < 197; ++q) col += m[q * 197 + k] == 0;
        kept += uint64_t(col);
        global += col > 50;
      }
      EXPECT_EQ(heads[size_t(h)]["global_tokens"].get<int>(), global) << "layer " << layer << " head " << h;
      EXPECT_EQ(heads[size_t(h)]["kept_entries"].get<uint64_t>(), kept);
      kept_all += kept;
      total += 197 * 197;
    }
    ++layer;
  }
  EXPECT_EQ(layer, 12);
  EXPECT_NEAR(1.0 - double(kept_all) / double(total), 0.9467, 0.0005);
  Result table = cosim("run workloads/deit_tiny_vitcod.json --mask '" + shared_mask() + "'");
  EXPECT_NE(table.out.find("overall attention sparsity 94.67%"), std::string::npos);
}

TEST(CosimRunSparse, AblationFlagsShowInTheReport) {
  Result r = cosim("run workloads/vit.json --format json --no-polarize --no-encoder");
  ASSERT_EQ(r.code, 0) << r.err;
  nlohmann::json j = nlohmann::json::parse(r.out);
  int attentions = 0;
  for (const auto& l : j["layers"]) {
    if (!l.contains("sparse_attention")) continue;
    ++attentions;
    EXPECT_FALSE(l["sparse_attention"]["polarized"].get<bool>());
    EXPECT_FALSE(l["sparse_attention"]["encoder"].get<bool>());
    for (const auto& h : l["sparse_attention"]["heads"]) EXPECT_EQ(h["global_tokens"], 0);
  }
  EXPECT_EQ(attentions, 12);
  Result d = cosim("run workloads/vit.json --format json --dense-attention");
  ASSERT_EQ(d.code, 0) << d.err;
  EXPECT_EQ(d.out.find("sparse_attention"), std::string::npos);
}

INSTANTIATE_TEST_SUITE_P(
    Masks, CosimRunBadInput,
    testing::Values(
        BadCall{"not_an_npy",
                "run workloads/deit_tiny_vitcod.json --mask " + temp_file("mask.npy", "0,1,1,0\n"),
                "not an .npy file"},
        BadCall{"wrong_dtype",
                "run workloads/deit_tiny_vitcod.json --mask " +
                    npy_file("f4.npy",
                             "{'descr': '<f4', 'fortran_order': False, 'shape': (12, 3, 197, 197), }", 16),
                "dtype '<f4' is not bool"},
        BadCall{"wrong_shape",
                "run workloads/deit_tiny_vitcod.json --mask " +
                    npy_file("small.npy",
                             "{'descr': '|b1', 'fortran_order': False, 'shape': (12, 3, 196, 196), }",
                             12 * 3 * 196 * 196),
                "/layers/2/layers/2/mask: the mask in"},
        BadCall{"truncated",
                "run workloads/deit_tiny_vitcod.json --mask " +
                    npy_file("short.npy",
                             "{'descr': '|b1', 'fortran_order': False, 'shape': (12, 3, 197, 197), }", 1000),
                "truncated"},
        BadCall{"missing_mask", "run workloads/deit_tiny_vitcod.json --mask /nonexistent/mask.npy",
                "/nonexistent/mask.npy: cannot open mask file"}),
    [](const testing::TestParamInfo<BadCall>& info) { return std::string(info.param.what); });

}  // namespace
