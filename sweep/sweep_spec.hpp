// A sweep over accelerator configurations (docs/sweep.md): a base architecture, parameters that each set one
// or more fields of it to a list of values, a grid or a seeded random sample of their combinations, an
// optional area budget, the workloads to run on every configuration and the objectives of the Pareto front.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "mapper/layer_cost.hpp"
#include "spec/arch_parameters.hpp"

namespace cosim {

enum class SweepObjective { Latency, Energy, Edp, Area };
const char* to_string(SweepObjective o);

using SweepParameter = ArchParameter;

struct SweepSpec {
  std::string file;  // the spec file, or "command line"
  std::string name;
  std::string arch_file;
  nlohmann::json arch;                 // the base architecture document
  std::vector<std::string> workloads;  // workload files
  std::vector<SweepParameter> parameters;
  uint64_t random_samples = 0;  // 0: the whole grid
  uint64_t seed = 1;
  double area_budget_mm2 = 0;      // 0: none
  std::string area_budget_source;  // the spec file or "--area-budget", for messages
  Objective mapping_objective = Objective::Edp;
  std::vector<SweepObjective> objectives = {SweepObjective::Latency, SweepObjective::Energy,
                                            SweepObjective::Area};
};

// What the command line adds to (or puts in place of) the spec file.
struct SweepOverrides {
  std::string arch;                    // architecture file or preset
  std::vector<std::string> workloads;  // replace the spec's
  std::vector<std::string> sets;       // "path[+path...]=v1,v2,...", replacing a parameter of the same name
  int64_t random_samples = -1, seed = -1;
  double area_budget_mm2 = -1;
  std::string mapping_objective, objectives;  // "latency,energy,area"
};

// Reads a cosim-sweep/1 file (or none: "") and applies the overrides. `data_dir` holds the presets (arch/,
// workloads/). Every parameter value is checked against the architecture here, so a bad value is one
// InputError naming the spec, the parameter and what the architecture says, before anything runs.
SweepSpec read_sweep(const std::string& file, const SweepOverrides& overrides, const std::string& data_dir);

struct SweepPoint {
  std::vector<size_t> choice;  // value index per parameter
  nlohmann::json arch;         // the base architecture with the choice applied
  std::string key;             // canonical form of the assignments (journal key)
  nlohmann::json assignments;  // parameter name -> value
  double area_mm2 = 0;
};

struct SweepPlan {
  std::vector<SweepPoint> points;  // in grid order (random samples: sorted by grid index)
  uint64_t grid_size = 0;
  uint64_t over_budget = 0;  // configurations left out by the area budget (of those looked at)
};

// The configurations to run: every grid point within the area budget, or the random sample.
SweepPlan plan_sweep(const SweepSpec& spec);

}  // namespace cosim
