// The supernet built from a space's layout runs the networks the simulator costs (nas/supernet_layout.hpp,
// train/supernet.hpp), and the image reader takes the real data set and refuses damaged files.
#include <gtest/gtest.h>

#include <zlib.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <set>

#include "nas/search_space.hpp"
#include "nas/supernet_layout.hpp"
#include "spec/input_error.hpp"
#include "train/image_data.hpp"
#include "train/supernet.hpp"
#include "train/trainer.hpp"

namespace cosim::train {
namespace {

// The operators of a workload's convolution and linear layers, in order.
void workload_ops(const nlohmann::json& layers, std::vector<std::string>& ops) {
  for (const nlohmann::json& l : layers) {
    if (l.contains("layers")) workload_ops(l["layers"], ops);
    const std::string type = l.value("type", "");
    if (type == "conv2d" || type == "linear") ops.push_back(l.value("op", "mult"));
  }
}

TEST(Supernet, EveryPathRunsTheCandidatesLayersWithTheirOperators) {
  const auto space = read_space("cnn_fmnist", COSIM_SOURCE_DIR);
  const nlohmann::json layout = supernet_layout(*space);
  ASSERT_EQ(layout["slots"].size(), 12u);  // stem, 8 blocks, head conv, pool, classifier
  std::mt19937_64 rng(5);
  for (int trial = 0; trial < 6; ++trial) {
    const Candidate c = random_candidate(*space, rng);
    Supernet alone(layout, Path(c.begin(), c.end()), 0.2);
    std::vector<std::string> expected, built;
    workload_ops(space->workload(c, "w")["layers"], expected);
    for (const auto& m : alone->modules(false))
      if (auto conv = std::dynamic_pointer_cast<OpConv2dImpl>(m)) built.push_back(conv->op());
    EXPECT_EQ(built, expected) << space->encode(c);
    const torch::Tensor logits = alone->forward(torch::randn({3, 1, 28, 28}), Path(c.begin(), c.end()));
    EXPECT_EQ(logits.sizes(), (std::vector<int64_t>{3, 10}));
  }
}

TEST(Supernet, SharesWeightsPerBlockAndStructureAndAStandaloneNetworkRunsOnlyItsPath) {
  const auto space = read_space("cnn_fmnist", COSIM_SOURCE_DIR);
  const nlohmann::json layout = supernet_layout(*space);
  Supernet net(layout, std::nullopt, 0.2);
  ASSERT_EQ(net->genes(), space->genes.size());
  size_t option_stacks = 0;
  for (const auto& named : net->named_children())
    if (named.key().find("_option") != std::string::npos) ++option_stacks;
  // 8 blocks x 4 operators x (expansion 1 | expansion 3 or 6): kernels and expansions 3 and 6 share a stack;
  // a skip has no weights.
  EXPECT_EQ(option_stacks, 8u * 8u);
  const Path first(space->genes.size(), 0), other(space->genes.size(), 1);
  Supernet alone(layout, first, 0.2);
  EXPECT_NO_THROW(alone->forward(torch::randn({1, 1, 28, 28}), first));
  EXPECT_THROW(alone->forward(torch::randn({1, 1, 28, 28}), other), std::invalid_argument);
}

// An option sharing a larger stack computes what the network of its own shapes computes with the slice of
// the weights: the first channels, the kernel's centre, the first batch-norm features.
TEST(Supernet, AnOptionRunsTheCentreAndFirstChannelsOfTheSharedWeights) {
  const nlohmann::json layout = supernet_layout(*read_space("cnn_fmnist", COSIM_SOURCE_DIR));
  torch::manual_seed(11);
  Supernet net(layout, std::nullopt, 0.2);
  for (const auto& b : net->named_buffers())  // statistics unlike the defaults, so that slicing them shows
    if (b.key().find("running_") != std::string::npos) b.value().uniform_(0.5, 1.5);
  for (const int option : {1, 13}) {  // the first block as mult/k3/e3, adder/k3/e3 (sharing k5/e6's stack)
    Path path(8, 0);
    path[0] = option;
    Supernet alone(layout, path, 0.2);
    torch::NoGradGuard no_grad;
    const auto shared = net->named_parameters(), shared_buffers = net->named_buffers();
    const auto copy = [](const torch::Tensor& from, torch::Tensor to) {
      torch::Tensor v = from;
      for (int64_t d = 0; d < to.dim(); ++d)
        v = v.narrow(d, d < 2 ? 0 : (from.size(d) - to.size(d)) / 2, to.size(d));
      to.copy_(v);
    };
    // The stacks are named by their first option: 1 (of 1, 2, 4, 5) and 13 (of 13, 14, 16, 17).
    const std::string own = "slot1_option" + std::to_string(option);
    for (auto& p : alone->named_parameters()) copy(shared[p.key()], p.value());
    for (auto& b : alone->named_buffers())
      if (b.value().dim() > 0) copy(shared_buffers[b.key()], b.value());
    ASSERT_TRUE(alone->named_parameters().contains(own + ".conv0.weight"));
    EXPECT_LT(alone->named_parameters()[own + ".conv1.weight"].size(2),
              net->named_parameters()[own + ".conv1.weight"].size(2));  // k3 within k5
    net->eval();
    alone->eval();
    const torch::Tensor x = torch::randn({4, 1, 28, 28});
    EXPECT_TRUE(torch::allclose(net->forward(x, path), alone->forward(x, path), 1e-4, 1e-5)) << option;
  }
}

TEST(Supernet, ASpaceWhoseGenesAreNotBlocksHasNone) {
  const auto vit = read_space("vit", COSIM_SOURCE_DIR);
  EXPECT_THROW(supernet_layout(*vit), InputError);
}

TEST(ImageData, ReadsFashionMnistWithBalancedClasses) {
  const std::string dir = "/usr/share/datasets/fashion-mnist";  // dataset-fashion-mnist (scripts/setup.sh)
  const ImageSet train = read_idx_set(dir, "train"), test = read_idx_set(dir, "t10k");
  EXPECT_EQ(train.images.sizes(), (std::vector<int64_t>{60000, 1, 28, 28}));
  EXPECT_EQ(test.images.sizes(), (std::vector<int64_t>{10000, 1, 28, 28}));
  EXPECT_TRUE(torch::equal(torch::bincount(train.labels), torch::full({10}, 6000, torch::kInt64)));
  EXPECT_TRUE(torch::equal(torch::bincount(test.labels), torch::full({10}, 1000, torch::kInt64)));
  // Normalized with the training set's mean and deviation.
  EXPECT_NEAR(train.images.mean().item<double>(), 0.0, 1e-2);
  EXPECT_NEAR(train.images.std().item<double>(), 1.0, 1e-2);
}

void write_gz(const std::string& path, const std::vector<uint8_t>& bytes) {
  gzFile f = gzopen(path.c_str(), "wb");
  gzwrite(f, bytes.data(), unsigned(bytes.size()));
  gzclose(f);
}

TEST(ImageData, RefusesDamagedFilesNamingThem) {
  const std::string dir = ::testing::TempDir() + "/idx";
  std::filesystem::create_directories(dir);
  const std::vector<uint8_t> images{0, 0, 8, 3, 0, 0, 0, 2, 0, 0, 0, 2, 0, 0, 0, 2, 1, 2, 3, 4, 5, 6, 7, 8};
  const std::vector<uint8_t> labels{0, 0, 8, 1, 0, 0, 0, 2, 3, 9};
  write_gz(dir + "/ok-images-idx3-ubyte.gz", images);
  write_gz(dir + "/ok-labels-idx1-ubyte.gz", labels);
  EXPECT_EQ(read_idx_set(dir, "ok").labels[1].item<int64_t>(), 9);
  auto problem = [&](const std::string& prefix) {
    try {
      read_idx_set(dir, prefix);
    } catch (const InputError& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  write_gz(dir + "/short-images-idx3-ubyte.gz", std::vector<uint8_t>(images.begin(), images.end() - 1));
  write_gz(dir + "/short-labels-idx1-ubyte.gz", labels);
  EXPECT_NE(problem("short").find("short-images-idx3-ubyte.gz: holds 23 bytes, its header promises 24"),
            std::string::npos)
      << problem("short");
  std::vector<uint8_t> wrong = images;
  wrong[3] = 1;
  write_gz(dir + "/magic-images-idx3-ubyte.gz", wrong);
  write_gz(dir + "/magic-labels-idx1-ubyte.gz", labels);
  EXPECT_NE(problem("magic").find("not an IDX file"), std::string::npos) << problem("magic");
  write_gz(dir + "/count-images-idx3-ubyte.gz", images);
  write_gz(dir + "/count-labels-idx1-ubyte.gz", {0, 0, 8, 1, 0, 0, 0, 1, 3});
  EXPECT_NE(problem("count").find("1 labels for 2 images"), std::string::npos) << problem("count");
  std::ofstream(dir + "/junk-images-idx3-ubyte.gz") << "not gzip at all";  // read as plain bytes by zlib
  write_gz(dir + "/junk-labels-idx1-ubyte.gz", labels);
  EXPECT_NE(problem("junk").find("junk-images-idx3-ubyte.gz"), std::string::npos) << problem("junk");
  EXPECT_NE(problem("absent").find("absent-images-idx3-ubyte.gz: no such file"), std::string::npos);
}

// A step trains the path's options and leaves the others where they are, even those that have momentum from
// an earlier step (with zeroed instead of dropped gradients, SGD's momentum kept moving them).
TEST(TrainStep, MovesOnlyTheOptionsOnThePath) {
  const auto space = read_space("cnn_fmnist", COSIM_SOURCE_DIR);
  torch::manual_seed(3);
  Supernet net(supernet_layout(*space), std::nullopt, 0.2);
  torch::optim::SGD sgd(net->parameters(),
                        torch::optim::SGDOptions(0.05).momentum(0.9).nesterov(true).weight_decay(4e-5));
  const torch::Tensor x = torch::randn({8, 1, 28, 28}), y = torch::randint(0, 10, {8});
  Path a(8, 0), b(8, 0);
  b[0] = 1;  // the first block: mult/k3/e1, then mult/k3/e3 (slot 1: slot 0 is the stem)
  train_step(net, sgd, x, y, a);
  auto values = [&](const std::string& prefix) {
    std::vector<torch::Tensor> v;
    for (const auto& p : net->named_parameters())
      if (p.key().rfind(prefix, 0) == 0) v.push_back(p.value().detach().clone());
    return v;
  };
  const auto off_path = values("slot1_option0."), on_path = values("slot1_option1."), stem = values("slot0.");
  ASSERT_FALSE(off_path.empty());
  ASSERT_FALSE(on_path.empty());
  train_step(net, sgd, x, y, b);
  const auto off_after = values("slot1_option0."), on_after = values("slot1_option1."),
             stem_after = values("slot0.");
  for (size_t i = 0; i < off_path.size(); ++i) EXPECT_TRUE(torch::equal(off_path[i], off_after[i])) << i;
  bool moved = false;
  for (size_t i = 0; i < on_path.size(); ++i) moved = moved || !torch::equal(on_path[i], on_after[i]);
  EXPECT_TRUE(moved);
  EXPECT_FALSE(torch::equal(stem[0], stem_after[0]));
}

// The operators of each gene's options as the layout writes them ("" for a skipped block).
std::vector<std::vector<std::set<std::string>>> option_ops(const nlohmann::json& layout) {
  std::vector<std::vector<std::set<std::string>>> ops;
  for (const nlohmann::json& slot : layout["slots"]) {
    if (!slot.contains("options")) continue;
    ops.emplace_back();
    for (const nlohmann::json& option : slot["options"]) {
      std::set<std::string> used;
      if (option.is_null()) used.insert("");
      for (const nlohmann::json& layer : option)
        if (layer.value("type", "") == "conv2d") used.insert(layer.value("op", "mult"));
      ops.back().push_back(used);
    }
  }
  return ops;
}

Path every_block(const std::vector<std::vector<std::set<std::string>>>& ops, const std::string& op) {
  Path path;
  for (const auto& gene : ops)
    path.push_back(int(std::find(gene.begin(), gene.end(), std::set<std::string>{op}) - gene.begin()));
  return path;
}

struct GradientNorms {
  std::vector<double> adder,
      adder_elements;  // per adder layer's weight: its gradient's norm, the weights run
  double others = 0;   // every other parameter on the path, together
};

// The gradient norms after one step on `path`, as the optimizer sees them.
GradientNorms gradient_norms_after_step(double adder_eta, const Path& path) {
  torch::manual_seed(3);
  Supernet net(supernet_layout(*read_space("cnn_fmnist", COSIM_SOURCE_DIR)), std::nullopt, adder_eta);
  torch::optim::SGD sgd(net->parameters(), torch::optim::SGDOptions(0.05));
  train_step(net, sgd, torch::randn({8, 1, 28, 28}), torch::randint(0, 10, {8}), path);
  GradientNorms n;
  for (const std::shared_ptr<torch::nn::Module>& m : net->modules(false)) {
    const OpConv2dImpl* conv = m->as<OpConv2dImpl>();
    for (const torch::Tensor& p : m->parameters(false)) {
      if (!p.grad().defined()) continue;
      if (conv && conv->op() == "adder") {
        n.adder.push_back(p.grad().norm().item<double>());
        n.adder_elements.push_back(p.grad().ne(0).sum().item<double>());  // the slice the path ran
      } else {
        n.others += p.grad().pow(2).sum().item<double>();
      }
    }
  }
  n.others = std::sqrt(n.others);
  return n;
}

TEST(TrainStep, ClipsAllButTheAdderWeightsWhichScaleTheirOwnGradient) {
  // Every block adder: AdderNet's scaled weight gradients have norm 0.2 * sqrt(numel) per layer, far above
  // the clip, and keep it; the rest of the path is clipped on its own.
  const auto ops = option_ops(supernet_layout(*read_space("cnn_fmnist", COSIM_SOURCE_DIR)));
  const Path adder = every_block(ops, "adder");
  ASSERT_LT(size_t(adder[0]), ops[0].size());
  const GradientNorms n = gradient_norms_after_step(0.2, adder);
  ASSERT_EQ(n.adder.size(), 16u);  // 8 blocks of depthwise and projection convolutions
  for (size_t i = 0; i < n.adder.size(); ++i)
    EXPECT_NEAR(n.adder[i], 0.2 * std::sqrt(n.adder_elements[i]), 1e-3);
  EXPECT_LE(n.others, kGradientClip + 1e-3);
}

TEST(TrainStep, ScalesALargeGradientDownToTheClip) {
  // A classifier 1000 times its trained size makes the gradient behind it far larger than the clip.
  const nlohmann::json layout = supernet_layout(*read_space("cnn_fmnist", COSIM_SOURCE_DIR));
  torch::manual_seed(3);
  Supernet net(layout, std::nullopt, 0.2);
  {
    torch::NoGradGuard no_grad;
    for (torch::Tensor& p : net->parameters())
      if (p.dim() == 4 && p.size(0) == 10) p.mul_(1000);  // the classifier, 10 classes
  }
  torch::optim::SGD sgd(net->parameters(), torch::optim::SGDOptions(0.05));
  train_step(net, sgd, torch::randn({8, 1, 28, 28}), torch::randint(0, 10, {8}),
             every_block(option_ops(layout), "mult"));
  double squares = 0;
  for (const torch::Tensor& p : net->parameters())
    if (p.grad().defined()) squares += p.grad().pow(2).sum().item<double>();
  EXPECT_NEAR(std::sqrt(squares), kGradientClip, 1e-3);
}

TEST(TrainStep, ClipsAdderWeightsThatDoNotScaleThemselvesWithTheRest) {
  // The clip's parameters after the backward pass of an all-adder path: every parameter with a gradient,
  // less the adder weights when they scale their own gradient (eta > 0); all of them at eta = 0.
  const nlohmann::json layout = supernet_layout(*read_space("cnn_fmnist", COSIM_SOURCE_DIR));
  const Path adder = every_block(option_ops(layout), "adder");
  for (double eta : {0.0, 0.2}) {
    torch::manual_seed(3);
    Supernet net(layout, std::nullopt, eta);
    torch::nn::functional::cross_entropy(net->forward(torch::randn({4, 1, 28, 28}), adder),
                                         torch::randint(0, 10, {4}))
        .backward();
    int64_t with_gradient = 0;
    for (const torch::Tensor& p : net->parameters()) with_gradient += p.grad().defined();
    EXPECT_EQ(int64_t(clipped_parameters(*net).size()), with_gradient - (eta > 0 ? 16 : 0)) << eta;
  }
}

TEST(SamplePath, WarmUpDrawsEveryMultiplierOptionAndNothingElse) {
  // NASA's progressive pretraining: during the warm-up, paths of multiplier options (and skips) only.
  const nlohmann::json layout = supernet_layout(*read_space("cnn_fmnist", COSIM_SOURCE_DIR));
  const auto ops = option_ops(layout);
  Supernet net(layout, std::nullopt, 0.2);
  std::mt19937_64 rng(7);
  std::vector<std::set<int>> drawn(ops.size()), drawn_after(ops.size());
  for (int k = 0; k < 400; ++k) {
    const Path warm = sample_path(*net, rng, 0), after = sample_path(*net, rng);
    for (size_t g = 0; g < ops.size(); ++g) drawn[g].insert(warm[g]), drawn_after[g].insert(after[g]);
  }
  for (size_t g = 0; g < ops.size(); ++g) {
    std::set<int> multiplier_options;
    for (size_t o = 0; o < ops[g].size(); ++o)
      if (ops[g][o] == std::set<std::string>{"mult"} || ops[g][o] == std::set<std::string>{""})
        multiplier_options.insert(int(o));
    EXPECT_EQ(drawn[g], multiplier_options) << "gene " << g;
    EXPECT_EQ(drawn_after[g].size(), ops[g].size()) << "gene " << g << ": every option after the warm-up";
  }
}

TEST(SamplePath, ARampDrawsTheOtherOperatorsWithTheirWeight) {
  // Weight 0.25 for each option that is not multiplier-only: s0b0 has 6 multiplier options and 18 others, so
  // 18 * 0.25 / (6 + 18 * 0.25) = 3/7 of its draws are others; a skippable block adds its skip to the 6.
  const nlohmann::json layout = supernet_layout(*read_space("cnn_fmnist", COSIM_SOURCE_DIR));
  const auto ops = option_ops(layout);
  Supernet net(layout, std::nullopt, 0.2);
  std::mt19937_64 rng(9);
  std::vector<int> others(ops.size(), 0);
  const int draws = 4000;
  for (int k = 0; k < draws; ++k) {
    const Path p = sample_path(*net, rng, 0.25);
    for (size_t g = 0; g < ops.size(); ++g)
      others[g] += ops[g][size_t(p[g])] != std::set<std::string>{"mult"} &&
                   ops[g][size_t(p[g])] != std::set<std::string>{""};
  }
  for (size_t g = 0; g < ops.size(); ++g) {
    const double expected = ops[g].size() == 25 ? 4.5 / 11.5 : 4.5 / 10.5;
    EXPECT_NEAR(double(others[g]) / draws, expected, 0.03) << "gene " << g;
  }
}

// The operators of a path's blocks (skips left out), each an option's set of conv ops.
std::set<std::set<std::string>> path_operators(const std::vector<std::vector<std::set<std::string>>>& ops,
                                               const Path& p) {
  std::set<std::set<std::string>> used;
  for (size_t g = 0; g < ops.size(); ++g)
    if (ops[g][size_t(p[g])] != std::set<std::string>{""}) used.insert(ops[g][size_t(p[g])]);
  return used;
}

TEST(SamplePath, OneOperatorPathsDrawEachOperatorWithItsWeightAndEveryOptionOfIt) {
  // Four operators (mult, shift, adder, shift+add = {adder, shift}); with weight 0.5 for the three that are
  // not multipliers, a path is all-mult 1 / (1 + 3 * 0.5) = 0.4 of the time, each other 0.2. Within it, every
  // option of that operator and the skip get drawn, nothing else.
  const nlohmann::json layout = supernet_layout(*read_space("cnn_fmnist", COSIM_SOURCE_DIR));
  const auto ops = option_ops(layout);
  Supernet net(layout, std::nullopt, 0.2);
  std::mt19937_64 rng(11);
  std::map<std::set<std::string>, int> paths_of;
  std::map<std::set<std::string>, std::vector<std::set<int>>> drawn;
  const int draws = 4000;
  for (int k = 0; k < draws; ++k) {
    const Path p = sample_one_operator_path(*net, rng, 0.5);
    const auto used = path_operators(ops, p);
    ASSERT_EQ(used.size(), 1u) << "a path of mixed operators, or of skips alone (s0b0 has no skip)";
    ++paths_of[*used.begin()];
    drawn[*used.begin()].resize(ops.size());
    for (size_t g = 0; g < ops.size(); ++g) drawn[*used.begin()][g].insert(p[g]);
  }
  ASSERT_EQ(paths_of.size(), 4u);
  for (const auto& [op, count] : paths_of) {
    EXPECT_NEAR(double(count) / draws, op == std::set<std::string>{"mult"} ? 0.4 : 0.2, 0.03);
    for (size_t g = 0; g < ops.size(); ++g) {
      std::set<int> expected;
      for (size_t o = 0; o < ops[g].size(); ++o)
        if (ops[g][o] == op || ops[g][o] == std::set<std::string>{""}) expected.insert(int(o));
      EXPECT_EQ(drawn.at(op)[g], expected) << "gene " << g;
    }
  }
  for (int k = 0; k < 200; ++k)  // the warm-up: multipliers alone
    EXPECT_EQ(path_operators(ops, sample_one_operator_path(*net, rng, 0)),
              std::set<std::set<std::string>>{{"mult"}});
}

TEST(TrainingPath, OddBatchesOneOperatorEvenBatchesMixed) {
  const nlohmann::json layout = supernet_layout(*read_space("cnn_fmnist", COSIM_SOURCE_DIR));
  const auto ops = option_ops(layout);
  Supernet net(layout, std::nullopt, 0.2);
  std::mt19937_64 rng(13);
  int mixed_even = 0;
  for (int64_t b = 0; b < 200; ++b) {
    const size_t operators = path_operators(ops, training_path(*net, rng, 1.0, b)).size();
    if (b % 2) {
      EXPECT_EQ(operators, 1u) << "batch " << b;
    }
    mixed_even += b % 2 == 0 && operators > 1;
  }
  EXPECT_GT(mixed_even, 90);  // a uniform path of 8 blocks is one operator with probability < 0.01
}

TEST(OtherOptionsWeight, ZeroInTheWarmUpThenRisingOverTheRamp) {
  TrainOptions o;
  o.epochs = 8;
  o.warmup_epochs = 2;
  o.ramp_epochs = 4;
  EXPECT_EQ(other_options_weight(o, 1, 1.0), 0);      // the warm-up's last batch
  EXPECT_EQ(other_options_weight(o, 2, 0.5), 0.125);  // half an epoch of four
  EXPECT_EQ(other_options_weight(o, 3, 1.0), 0.5);
  EXPECT_EQ(other_options_weight(o, 5, 1.0), 1);
  EXPECT_EQ(other_options_weight(o, 7, 0.5), 1);
  o.ramp_epochs = 0;
  EXPECT_EQ(other_options_weight(o, 2, 0.0), 1);  // every option at once
}

TEST(ValidationPaths, DuringTheWarmUpOnlyMultiplierOptionsThenEveryOption) {
  // The figure printed after each epoch runs these paths: during the warm-up the paths it trains, after it
  // every option; the same sequence every epoch of a phase, so that epochs compare.
  const nlohmann::json layout = supernet_layout(*read_space("cnn_fmnist", COSIM_SOURCE_DIR));
  const auto ops = option_ops(layout);
  Supernet net(layout, std::nullopt, 0.2);
  TrainOptions o;
  o.epochs = 4;
  o.warmup_epochs = 2;
  const auto other_ops = [&](const std::vector<Path>& paths) {
    int count = 0;
    for (const Path& p : paths)
      for (size_t g = 0; g < ops.size(); ++g)
        count += ops[g][size_t(p[g])] != std::set<std::string>{"mult"} &&
                 ops[g][size_t(p[g])] != std::set<std::string>{""};
    return count;
  };
  const std::vector<Path> warm = validation_paths(o, *net, 1, 5000),
                          after = validation_paths(o, *net, 2, 5000);
  ASSERT_EQ(warm.size(), 20u);  // a path per 250 images
  EXPECT_EQ(validation_paths(o, *net, 0, 5000), warm);
  EXPECT_EQ(validation_paths(o, *net, 3, 5000), after);
  EXPECT_EQ(other_ops(warm), 0);
  EXPECT_GT(other_ops(after), 20);  // 160 genes drawn, most of them outside the multiplier options
  EXPECT_EQ(validation_paths(o, *net, 0, 5001).size(), 21u);
  o.warmup_epochs = 0;
  EXPECT_EQ(validation_paths(o, *net, 0, 5000), after);
}

}  // namespace
}  // namespace cosim::train
