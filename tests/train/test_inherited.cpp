// Candidates measured in a trained supernet (cosim search --accuracy supernet:FILE): a candidate of a space
// that fit_to narrowed is found in the supernet of the whole space by gene and option name
// (nas/supernet_layout.hpp); a supernet of another network is refused; a path's accuracy does not depend on
// the paths measured before it, and is counted over the images the training held out.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <unistd.h>

#include "nas/search_space.hpp"
#include "nas/supernet_layout.hpp"
#include "spec/arch_spec.hpp"
#include "spec/input_error.hpp"
#include "train/inherited.hpp"
#include "train/trainer.hpp"

namespace cosim::train {
namespace {

const std::string kData = "/usr/share/datasets/fashion-mnist";  // dataset-fashion-mnist (scripts/setup.sh)

TEST(SupernetMap, FindsANarrowedSpacesOptionsByName) {
  const auto whole = read_space("cnn_fmnist", COSIM_SOURCE_DIR);
  const nlohmann::json layout = supernet_layout(*whole);
  auto narrowed = read_space("cnn_fmnist", COSIM_SOURCE_DIR);
  narrowed->fit_to(read_arch(std::string(COSIM_SOURCE_DIR) + "/arch/eyeriss_like.json"));  // mult only
  ASSERT_EQ(narrowed->genes[0].options.size(), 6u);  // mult x k3,k5 x e1,e3,e6
  const SupernetMap map = map_to_supernet(layout, *narrowed, "s.pt");
  EXPECT_EQ(map.genes, 8u);
  // The whole space's options: op*6 + kernel*3 + expansion, ops mult, shift, adder, shift+add; skip = 24.
  Candidate c(narrowed->genes.size(), 0);
  c[0] = 5;  // mult/k5/e6
  c[1] = 4;  // mult/k5/e3
  size_t skippable = 0;
  while (narrowed->genes[skippable].options.size() != 7) ++skippable;  // the first block that may be skipped
  c[skippable] = 6;                                                    // its "skip"
  const std::vector<int> path = supernet_path(map, c);
  EXPECT_EQ(path[0], 5);
  EXPECT_EQ(path[1], 4);
  EXPECT_EQ(path[skippable], 24);
  EXPECT_EQ(path[7], 0);
}

TEST(SupernetMap, RefusesASupernetOfAnotherNetwork) {
  const auto space = read_space("cnn_fmnist", COSIM_SOURCE_DIR);
  const nlohmann::json layout = supernet_layout(*space);
  auto message = [&](const nlohmann::json& l) {
    try {
      map_to_supernet(l, *space, "s.pt");
    } catch (const InputError& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  nlohmann::json stem = layout;
  stem["slots"][0]["layer"]["out_channels"] = 99;
  EXPECT_NE(message(stem).find("s.pt: /cosim_layout: the supernet was trained for another network"),
            std::string::npos)
      << message(stem);
  nlohmann::json option = layout;  // an option built otherwise than the space builds it
  option["slots"][1]["options"][0][0]["out_channels"] = 7;
  EXPECT_NE(message(option).find("has no option \"mult/k3/e1\""), std::string::npos) << message(option);
  nlohmann::json bits = layout;
  bits["bits"] = 4;
  EXPECT_NE(message(bits).find("input or bit widths"), std::string::npos) << message(bits);
  const auto vit = read_space("cnn_cifar", COSIM_SOURCE_DIR);
  EXPECT_THROW(map_to_supernet(layout, *vit, "s.pt"), InputError);
}

// A supernet trained for a few batches (enough to make its batch norms matter).
const std::string& small_checkpoint() {
  static const std::string file = [] {
    // One file per process: ctest runs this binary's tests in parallel processes.
    const std::string f = ::testing::TempDir() + "/inherited_supernet_" + std::to_string(getpid()) + ".pt";
    std::filesystem::remove(f);
    TrainOptions o;
    o.layout = supernet_layout(*read_space("cnn_fmnist", COSIM_SOURCE_DIR));
    o.data_dir = kData;
    o.checkpoint = f;
    o.epochs = 1;
    o.batch = 64;
    o.train_images = 256;
    o.validation_images = 130;
    o.threads = 2;
    std::ostringstream progress;
    run_training(o, progress);
    return f;
  }();
  return file;
}

TEST(InheritedAccuracy, APathsAccuracyDoesNotDependOnThePathsMeasuredBeforeIt) {
  InheritedOptions o;
  o.checkpoint = small_checkpoint();
  o.data_dir = kData;
  o.calibration_batches = 2;
  o.calibration_batch = 64;
  o.threads = 2;
  const std::unique_ptr<InheritedAccuracy> net = open_supernet(o);
  const std::vector<int> a(8, 0), b{12, 13, 24, 14, 24, 2, 20, 24};
  const std::vector<double> alone = net->validation({b}), after = net->validation({a, b, a});
  EXPECT_EQ(alone[0], after[1]);
  EXPECT_EQ(after[0], after[2]);
  // Counted over the 130 images the training held out: a whole number of them.
  for (double x : after) EXPECT_NEAR(x * 130, std::round(x * 130), 1e-9) << x;
  // (The test column, over the 10,000 test images, is checked by TrainCli: under the sanitizers those take
  // minutes.)
}

TEST(InheritedAccuracy, RecalibratedBatchNormsChangeTheFigure) {
  // The statistics kept during training mix every path's; a path's own differ, and so does its accuracy
  // on at least one of a few paths.
  InheritedOptions kept, recalibrated;
  kept.checkpoint = recalibrated.checkpoint = small_checkpoint();
  kept.data_dir = recalibrated.data_dir = kData;
  kept.calibration_batches = 0;
  recalibrated.calibration_batches = 2;
  const std::vector<std::vector<int>> paths{{0, 6, 12, 18, 1, 7, 13, 19}, {23, 22, 21, 20, 3, 4, 5, 6}};
  EXPECT_NE(open_supernet(kept)->validation(paths), open_supernet(recalibrated)->validation(paths));
}

TEST(InheritedAccuracy, RefusesWhatIsNotASupernetCheckpoint) {
  const std::string junk = ::testing::TempDir() + "/junk.pt";
  std::ofstream(junk) << "not a checkpoint";
  InheritedOptions o;
  o.checkpoint = junk;
  o.data_dir = kData;
  try {
    open_supernet(o);
    ADD_FAILURE() << "no error";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("junk.pt: not a checkpoint of cosim train"), std::string::npos)
        << e.what();
  }
}

}  // namespace
}  // namespace cosim::train
