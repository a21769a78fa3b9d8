// One `cosim search`: a strategy proposes candidates, the accelerator model (worker processes) and an
// accuracy estimator score them, a journal keeps every result the moment it exists, and the outputs (front,
// its workloads, hypervolume per generation, plots) are written at the end (docs/search.md).
#pragma once

#include <string>
#include <vector>

#include "nas/accuracy.hpp"
#include "spec/arch_parameters.hpp"

namespace cosim {

struct SearchConfig {
  std::string space = "vit";
  std::string arch = "default";  // resolved path
  std::string strategy = "nsga2";
  std::string estimator = "proxy";
  std::string hardware = "energy";  // energy | latency | edp: the hardware objective
  std::string out;
  int budget = 300, population = 24, jobs = 0;
  uint64_t seed = 1;
  double max_latency_ms = 0, max_energy_uJ = 0, max_edp = 0, min_accuracy = -1e300;  // 0: no limit
  double estimator_timeout_s = 60;
  // Co-design (docs/search.md): accelerator parameters searched with the network (resolved against `arch`
  // when the search starts), and the area no candidate's accelerator may exceed (0: none).
  std::vector<ArchParameter> arch_parameters;
  double area_budget_mm2 = 0;
  bool resume = false, quiet = false;
  std::string data_dir;
  EstimatorFactory more_estimators;  // estimators that live above nas (supernet:FILE)
};

// Runs the search; returns the output directory. Throws InputError / EstimatorError.
std::string run_search(const SearchConfig& c);

}  // namespace cosim
