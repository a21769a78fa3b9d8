// `cosim sweep`: architects' design-space sweeps over accelerator configurations (docs/sweep.md).
#include <iostream>

#include "cli/commands.hpp"
#include "cli/option_checks.hpp"
#include "sweep/sweep_run.hpp"

#ifndef COSIM_DATA_DIR
#define COSIM_DATA_DIR "."
#endif

namespace cosim {

CommandAction add_sweep_command(CLI::App& app) {
  auto c = std::make_shared<SweepConfig>();
  CLI::App* cmd = app.add_subcommand(
      "sweep",
      "Run a grid or random sample of accelerator configurations over a set of workloads and show the "
      "trade-offs: points.csv/json with area, latency, energy, EDP and utilization per workload, the Pareto "
      "front marked, plots and a summary (docs/sweep.md). Runs in parallel processes; under mpirun, across "
      "ranks.");
  cmd->add_option("SPEC", c->spec_file, "Sweep file (cosim-sweep/1), e.g. sweeps/chunk_shapes.json")
      ->check(CLI::ExistingFile);
  cmd->add_option("--arch", c->overrides.arch, "Base architecture file or preset (replaces the spec's)");
  cmd->add_option(
      "--workload", c->overrides.workloads,
      "Workload file or preset (repeatable; replaces the spec's; default vit and resnet20_hybrid)");
  cmd->add_option("--set", c->overrides.sets,
                  "Sweep a field: FIELD[+FIELD...]=V1,V2,... e.g. chunks.mac.rows+chunks.mac.cols=8,16,32 "
                  "(repeatable; replaces the spec's parameter of the same name)");
  cmd->add_option("--random", c->overrides.random_samples, "Run a seeded random sample of N configurations")
      ->check(whole_number_in(1, 100000000));
  cmd->add_option("--seed", c->overrides.seed, "Seed of the random sample")
      ->check(whole_number_in(0, INT64_MAX));
  cmd->add_option("--area-budget", c->overrides.area_budget_mm2,
                  "Leave out configurations above this area, mm2")
      ->check(positive_finite());
  cmd->add_option(
      "--objectives", c->overrides.objectives,
      "Objectives of the Pareto front, from latency, energy, edp, area (default latency,energy,area)");
  cmd->add_option("--mapping-objective", c->overrides.mapping_objective,
                  "What the auto-mapper optimizes per layer")
      ->check(CLI::IsMember({"latency", "energy", "edp"}));
  cmd->add_option("-j,--jobs", c->jobs, "Worker processes (default: all cores, shared among local MPI ranks)")
      ->check(whole_number_in(1, 1024));
  cmd->add_option("--out", c->out, "Output directory (default: sweep-out/NAME)");
  cmd->add_flag("--resume", c->resume, "Continue the sweep whose journal is in --out");
  cmd->add_flag("--quiet", c->quiet, "No progress display");
  return [c]() {
    c->data_dir = COSIM_DATA_DIR;
    std::string summary;
    if (run_sweep(*c, summary).empty()) return 0;  // an MPI rank that only ran configurations
    std::cout << summary;
    return 0;
  };
}

}  // namespace cosim
