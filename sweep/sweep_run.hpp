// `cosim sweep`: runs every configuration of a sweep over its workloads, in parallel worker processes and,
// under mpirun, on every rank; journals each finished configuration; writes points (CSV, JSON) with the
// Pareto front marked, plots and a summary (docs/sweep.md).
#pragma once

#include <string>

#include "sweep/sweep_spec.hpp"

namespace cosim {

struct SweepConfig {
  std::string spec_file;  // "" : the sweep is given on the command line only
  SweepOverrides overrides;
  std::string data_dir;  // presets
  int jobs = 0;          // worker processes on this rank (0: its share of the cores)
  std::string out;       // "" : sweep-out/NAME (a fresh one)
  bool resume = false, quiet = false;
};

// Returns the output directory; "" on MPI ranks other than 0 (they only run configurations). The summary
// goes to `summary` (also written to DIR/summary.txt).
std::string run_sweep(const SweepConfig& config, std::string& summary);

}  // namespace cosim
