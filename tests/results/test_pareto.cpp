// The Pareto set that marks sweep fronts and search fronts: equal to the definition (no other point is at
// least as good in every objective and better in one) on random sets with many ties.
#include <gtest/gtest.h>

#include <random>

#include "results/pareto.hpp"

namespace cosim {
namespace {

std::vector<size_t> by_definition(const std::vector<std::vector<double>>& p) {
  std::vector<size_t> front;
  for (size_t i = 0; i < p.size(); ++i) {
    bool dominated = false;
    for (size_t j = 0; j < p.size(); ++j) dominated = dominated || (j != i && dominates(p[j], p[i]));
    if (!dominated) front.push_back(i);
  }
  return front;
}

TEST(Pareto, NonDominatedEqualsTheDefinitionOnRandomSetsWithTies) {
  std::mt19937_64 rng(5);
  for (int trial = 0; trial < 200; ++trial) {
    const size_t n = 1 + rng() % 60, k = 1 + rng() % 4;
    std::vector<std::vector<double>> p(n, std::vector<double>(k));
    for (auto& v : p)
      for (double& x : v) x = double(rng() % 6);  // few values: many ties and duplicates
    EXPECT_EQ(non_dominated(p), by_definition(p)) << "trial " << trial;
  }
  EXPECT_EQ(non_dominated({{1, 2}, {1, 2}, {2, 1}, {2, 2}}), (std::vector<size_t>{0, 1, 2}));
  EXPECT_TRUE(non_dominated({}).empty());
}

}  // namespace
}  // namespace cosim
