// Search spaces: every candidate is a workload cosim reads and the default accelerator runs; encodings are
// canonical; the proxy is named and behaves as documented.
#include <gtest/gtest.h>

#include <random>

#include "mapper/auto_mapping.hpp"
#include "nas/accuracy.hpp"
#include "nas/search_space.hpp"
#include "spec/input_error.hpp"
#include "spec/json_reader.hpp"
#include "support/test_files.hpp"

namespace cosim {
namespace {

class EverySpace : public ::testing::TestWithParam<const char*> {};

TEST_P(EverySpace, RandomCandidatesAreWorkloadsTheAcceleratorMaps) {
  const auto space = read_space(GetParam(), COSIM_DATA_DIR);
  const ArchSpec arch = read_arch(test::source_path("arch/default.json"));
  std::mt19937_64 rng(11);
  MappingCache cache;
  for (int i = 0; i < 12; ++i) {
    const Candidate c = random_candidate(*space, rng);
    const nlohmann::json w = space->workload(c, "cand");
    const Network net = read_network(JsonField::from(w, "cand.json"));
    EXPECT_NO_THROW(check_supported(net, arch));
    EXPECT_FALSE(auto_mapping(net, arch, Objective::Edp, nullptr, &cache).plans.empty());
    EXPECT_EQ(space->decode(space->encode(c)), c);
    EXPECT_GT(accuracy_proxy(net, space->proxy["op_penalty"]), 0);
  }
  EXPECT_GT(cache.hits, 0u) << "layers repeated across candidates are searched once";
}

INSTANTIATE_TEST_SUITE_P(Spaces, EverySpace,
                         ::testing::Values("vit", "cnn_cifar", "cnn_imagenet", "cnn_fmnist"));

TEST(SearchSpace, VitNormalizationIgnoresBlocksBeyondDepth) {
  const auto s = read_space("vit", COSIM_DATA_DIR);
  Candidate a(s->genes.size(), 0), b = a;
  b.back() = 2;  // an operator of the last block, which depth 6 does not have
  EXPECT_EQ(s->encode(s->normalize(a)), s->encode(s->normalize(b)));
  EXPECT_EQ(s->describe(b).find("b11"), std::string::npos);
  b[4] = 1;  // block 0's qkv matters
  EXPECT_NE(s->encode(s->normalize(a)), s->encode(s->normalize(b)));
  EXPECT_THROW(s->decode("vit:1.2"), std::invalid_argument);
  EXPECT_THROW(s->decode("cnn_cifar:0"), std::invalid_argument);
}

TEST(SearchSpace, CnnSkipsOnlyBlocksThatKeepShape) {
  const auto s = read_space("cnn_cifar", COSIM_DATA_DIR);
  for (const Gene& g : s->genes) {
    const bool first = g.name.size() >= 2 && g.name.substr(g.name.size() - 2) == "b0";
    EXPECT_EQ(g.options.back() == "skip", !first) << g.name;
    EXPECT_EQ(g.options.size(), first ? 24u : 25u) << "4 operators x 2 kernels x 3 expansions (+ skip)";
  }
  // Every block skipped where allowed: still a valid network.
  Candidate c;
  for (const Gene& g : s->genes) c.push_back(int(g.options.size()) - 1);
  const Network net = read_network(JsonField::from(s->workload(c, "thin"), "thin.json"));
  EXPECT_GT(net.total_macs(), 0u);
}

TEST(SearchSpace, ProxyPrefersCapacityAndPenalizesOperators) {
  const auto s = read_space("vit", COSIM_DATA_DIR);
  Candidate small(s->genes.size(), 0), big = small;
  big[1] = 3;  // widest
  auto proxy = [&](const Candidate& c) {
    return accuracy_proxy(read_network(JsonField::from(s->workload(c, "x"), "x.json")),
                          s->proxy["op_penalty"]);
  };
  EXPECT_GT(proxy(big), proxy(small));
  Candidate adder = small;
  for (size_t g = 4; g < adder.size(); ++g) adder[g] = 2;
  EXPECT_LT(proxy(adder), proxy(small));
}

TEST(SearchSpace, BadSpaceFilesNameTheField) {
  auto bad = [](const std::function<void(nlohmann::json&)>& edit, const std::string& pointer) {
    nlohmann::json j = test::load_json("spaces/vit.json");
    edit(j);
    const std::string file = ::testing::TempDir() + "space_bad.json";
    std::ofstream(file) << j.dump();
    try {
      read_space(file, COSIM_DATA_DIR);
      ADD_FAILURE() << "accepted";
    } catch (const InputError& e) {
      EXPECT_EQ(e.path(), pointer) << e.what();
    }
  };
  bad([](auto& j) { j["choices"]["depth"] = nlohmann::json::array(); }, "/choices/depth");
  bad([](auto& j) { j["choices"]["width"][0]["heads"] = 5; }, "/choices/width/0/heads");
  bad([](auto& j) { j["choices"]["linear_op"][0] = "divide"; }, "/choices/linear_op/0");
  bad([](auto& j) { j["reference_point"].erase("energy_uJ"); }, "/reference_point");
  bad([](auto& j) { j["kind"] = "rnn"; }, "/kind");
  bad([](auto& j) { j["choices"]["attention_sparsity"][1] = 1.5; }, "/choices/attention_sparsity/1");
}

}  // namespace
}  // namespace cosim
