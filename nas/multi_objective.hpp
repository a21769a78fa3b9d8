// pagmo2's multi-objective utilities (non-dominated sorting, crowding distance, NSGA-II's survivor selection,
// hypervolume), reached through a small module (libcosim_pagmo.so, nas/pagmo_module.cpp) that is loaded on
// first use. Loading libpagmo runs its static initializers, about 60 ms per process on this machine kind (130
// ms under ASan): every cosim command paid it, although only searches use pagmo. Objectives are minimized.
#pragma once

#include <cstddef>
#include <vector>

namespace cosim {

using ObjectivePoints = std::vector<std::vector<double>>;

struct MultiObjective {
  // Indices of the points in each front, best front first.
  std::vector<std::vector<size_t>> (*fronts)(const ObjectivePoints& points);
  // Crowding distance of each point of one front (at least three points; the ends are infinite).
  std::vector<double> (*crowding_distance)(const ObjectivePoints& front);
  // Indices of the n best points by rank, then crowding (NSGA-II's survivor selection).
  std::vector<size_t> (*select_best)(const ObjectivePoints& points, size_t n);
  // Hypervolume the points dominate, measured against the reference point (every point dominates it).
  double (*hypervolume)(const ObjectivePoints& points, const std::vector<double>& reference);
};

// The functions, loading the module on the first call: next to the running program, else where the build put
// it. Throws std::runtime_error naming the module and dlopen's reason when it cannot be loaded.
const MultiObjective& multi_objective();

}  // namespace cosim
