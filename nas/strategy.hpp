// Search strategies over a categorical space (docs/search.md): random search, regularized (aging) evolution,
// NSGA-II. Objectives are minimized: [hardware figure, -accuracy estimate]; constraints enter as a violation
// (0 = feasible) and dominate (feasible before infeasible, then less violation). Non-dominated sorting,
// crowding distance and hypervolume come from pagmo2 (nas/multi_objective.hpp); mutation and crossover are
// written for categorical genes (pagmo's operators are real-valued).
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "nas/search_space.hpp"

namespace cosim {

struct Scored {
  Candidate candidate;
  std::array<double, 2> objectives{};  // minimized
  double violation = 0;
};

class Strategy {
 public:
  virtual ~Strategy() = default;
  virtual std::string name() const = 0;
  // Up to `room` candidates to evaluate next.
  virtual std::vector<Candidate> propose(size_t room) = 0;
  // Their scores, in the order proposed.
  virtual void observe(const std::vector<Scored>& scored) = 0;
};

// "random", "evolution" or "nsga2". `population`: NSGA-II's population, evolution's population (its sample is
// a quarter of it, at least 2).
std::unique_ptr<Strategy> make_strategy(const std::string& name, const SearchSpace& space, uint64_t seed,
                                        int population);

// Indices of the non-dominated feasible points.
std::vector<size_t> pareto_front(const std::vector<Scored>& points);
// Hypervolume of the feasible points that dominate the reference point, measured against it.
double hypervolume(const std::vector<Scored>& points, const std::array<double, 2>& reference);

}  // namespace cosim
