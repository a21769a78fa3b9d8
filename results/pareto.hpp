// Pareto-optimal points of a set of minimized objective vectors (any number of objectives).
#pragma once

#include <algorithm>
#include <cstddef>
#include <vector>

namespace cosim {

inline bool dominates(const std::vector<double>& a, const std::vector<double>& b) {
  bool strictly = false;
  for (size_t k = 0; k < a.size(); ++k) {
    if (a[k] > b[k]) return false;
    strictly = strictly || a[k] < b[k];
  }
  return strictly;
}

// Indices of the points no other point dominates, in input order (equal points are all kept).
// In lexicographic order a point can only be dominated by one before it, and then also by one on the front
// found so far (domination is transitive), so each point is compared with the front only: O(n * front).
inline std::vector<size_t> non_dominated(const std::vector<std::vector<double>>& points) {
  std::vector<size_t> order(points.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) { return points[a] < points[b]; });
  std::vector<size_t> front;
  for (size_t i : order) {
    bool dominated = false;
    for (size_t j : front) {
      if ((dominated = dominates(points[j], points[i]))) break;
    }
    if (!dominated) front.push_back(i);
  }
  std::sort(front.begin(), front.end());
  return front;
}

}  // namespace cosim
