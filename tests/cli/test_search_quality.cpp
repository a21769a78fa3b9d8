// NSGA-II must reach a higher hypervolume than random search at equal budget, averaged over five seeds, on
// the ViT and the CIFAR hybrid-CNN spaces (the proxy estimator, energy objective, 300 candidates). Slow:
// Release only (label slow).
#include <gtest/gtest.h>

#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

namespace {

double final_hypervolume(const std::string& space, const std::string& strategy, int seed) {
  const std::string out = testing::TempDir() + "cosim_quality_" + std::to_string(::getpid()) + "_" + space +
                          "_" + strategy + "_" + std::to_string(seed);
  const std::string cmd = std::string("cd '") + COSIM_SOURCE_DIR + "' && '" + COSIM_BINARY +
                          "' search --energy --quiet --budget 300 --space " + space + " --strategy " +
                          strategy + " --seed " + std::to_string(seed) + " --out " + out + " >/dev/null 2>&1";
  if (std::system(cmd.c_str()) != 0) return -1;
  std::ifstream in(out + "/hypervolume.csv");
  std::string line, last;
  while (std::getline(in, line)) last = line;
  std::stringstream s(last);
  std::string cell;
  for (int i = 0; i < 3; ++i) std::getline(s, cell, ',');
  return std::stod(cell);
}

class NsgaVersusRandom : public ::testing::TestWithParam<const char*> {};

TEST_P(NsgaVersusRandom, HigherMeanHypervolumeOverFiveSeeds) {
  double nsga = 0, random = 0;
  for (int seed = 1; seed <= 5; ++seed) {
    const double a = final_hypervolume(GetParam(), "nsga2", seed),
                 b = final_hypervolume(GetParam(), "random", seed);
    ASSERT_GT(a, 0);
    ASSERT_GT(b, 0);
    nsga += a / 5, random += b / 5;
  }
  EXPECT_GT(nsga, random) << GetParam() << ": NSGA-II " << nsga << ", random " << random;
}

INSTANTIATE_TEST_SUITE_P(Spaces, NsgaVersusRandom, ::testing::Values("vit", "cnn_cifar"));

}  // namespace
