// `cosim search`: multi-objective NAS over a search space, every candidate evaluated on the accelerator
// model.
#include <iostream>

#include "cli/commands.hpp"
#include "cli/option_checks.hpp"
#include "nas/accuracy.hpp"
#include "nas/search_run.hpp"
#include "spec/input_error.hpp"
#include "sweep/sweep_spec.hpp"
#include "train/supernet_estimator.hpp"

#ifndef COSIM_DATA_DIR
#define COSIM_DATA_DIR "."
#endif

namespace cosim {

namespace {

// Limits on the objectives.
void add_constraint_options(CLI::App* cmd, SearchConfig& c) {
  cmd->add_option("--max-latency", c.max_latency_ms, "Constraint: latency in ms")->check(positive_finite());
  cmd->add_option("--max-energy", c.max_energy_uJ, "Constraint: energy in uJ")->check(positive_finite());
  cmd->add_option("--max-edp", c.max_edp, "Constraint: EDP in uJ*ms")->check(positive_finite());
  cmd->add_option("--min-accuracy", c.min_accuracy, "Constraint: accuracy estimate at least this")
      ->check(finite_number());
}

// Co-design: the accelerator fields searched with the network, as given.
struct CoDesignOptions {
  std::vector<std::string> sets;  // --arch-set FIELD=V1,V2,...
  std::string space_file;         // --arch-space: a cosim-sweep/1 file
  CLI::Option* arch = nullptr;    // --arch and --area-budget: given, or left at their defaults
  CLI::Option* budget = nullptr;
};

void add_codesign_options(CLI::App* cmd, SearchConfig& c, CoDesignOptions& o) {
  cmd->add_option(
      "--arch-set", o.sets,
      "Co-design: search an accelerator field with the network, FIELD[+FIELD...]=V1,V2,... e.g. "
      "chunks.mac.rows+chunks.mac.cols=8,16,32 (repeatable; fields as cosim sweep --set names them)");
  cmd->add_option(
         "--arch-space", o.space_file,
         "Co-design: search the parameters of a sweep file (cosim-sweep/1) with the network; its arch "
         "and area_budget too unless --arch / --area-budget are given")
      ->check(CLI::ExistingFile);
  o.budget = cmd->add_option("--area-budget", c.area_budget_mm2,
                             "Co-design: no candidate's accelerator may be larger than this area, mm2")
                 ->check(positive_finite());
}

// The accelerator parameters of a co-design search: the sweep file's (with its base architecture and area
// budget unless --arch / --area-budget say otherwise), then --arch-set, replacing one of the same name.
void read_codesign(const CoDesignOptions& o, SearchConfig& c) {
  if (!o.space_file.empty()) {
    SweepOverrides ov;
    if (o.arch->count()) ov.arch = c.arch;
    const SweepSpec spec = read_sweep(o.space_file, ov, COSIM_DATA_DIR);
    c.arch = spec.arch_file;
    c.arch_parameters = spec.parameters;
    if (!o.budget->count() && spec.area_budget_mm2 > 0) c.area_budget_mm2 = spec.area_budget_mm2;
  }
  for (const std::string& set : o.sets)
    set_parameter(c.arch_parameters, read_parameter_assignment(set, "--arch-set"));
}

}  // namespace

CommandAction add_search_command(CLI::App& app) {
  auto c = std::make_shared<SearchConfig>();
  auto flags = std::make_shared<std::array<bool, 3>>();
  auto inherited = std::make_shared<InheritedOptions>();
  auto codesign = std::make_shared<CoDesignOptions>();
  inherited->data_dir = "/usr/share/datasets/fashion-mnist";
  CLI::App* cmd = app.add_subcommand(
      "search",
      "Search a space of networks for the Pareto front of accuracy estimate vs energy, latency or EDP on the "
      "accelerator (docs/search.md). Results in --out: front.csv/json, the front's workloads, hypervolume "
      "per "
      "generation, plots, and a journal that --resume continues.");
  cmd->add_flag("--energy", (*flags)[0], "Hardware objective: energy (the default)");
  cmd->add_flag("--latency", (*flags)[1], "Hardware objective: latency");
  cmd->add_flag("--edp", (*flags)[2], "Hardware objective: energy-delay product");
  cmd->add_option("--space", c->space,
                  "Search space: vit, cnn_cifar, cnn_imagenet, cnn_fmnist, or a cosim-space/1 file")
      ->capture_default_str();
  codesign->arch = cmd->add_option("--arch", c->arch, "Architecture file or preset (co-design: the base)")
                       ->capture_default_str();
  cmd->add_option("--strategy", c->strategy, "nsga2, evolution (regularized aging evolution) or random")
      ->check(CLI::IsMember({"nsga2", "evolution", "random"}))
      ->capture_default_str();
  cmd->add_option("--budget", c->budget, "Candidates to evaluate (proposals, repeats included)")
      ->check(whole_number_in(1, 1000000))
      ->capture_default_str();
  cmd->add_option("--population", c->population, "Population of NSGA-II and evolution")
      ->check(whole_number_in(4, 100000))
      ->capture_default_str();
  cmd->add_option("--seed", c->seed, "Seed: same seed, same search")
      ->check(whole_number_in(0, UINT64_MAX))
      ->capture_default_str();
  cmd->add_option(
         "--accuracy", c->estimator,
         "Accuracy estimator: proxy (built-in, training-free; named a proxy in every output), "
         "table:FILE.csv (columns encoding, accuracy), command:CMD (a JSON line per candidate on "
         "stdin/stdout), batch:CMD (a JSON line per generation, answered while the hardware is "
         "simulated; docs/search.md) or supernet:FILE (inherited accuracy in a supernet trained by cosim "
         "train; docs/training.md)")
      ->capture_default_str();
  cmd->add_option(
         "--calibration-batches", inherited->calibration_batches,
         "supernet: training batches (of 128) that recalibrate each candidate's batch norms; 0: keep "
         "the statistics of training")
      ->check(whole_number_in(0, 1000))
      ->capture_default_str();
  cmd->add_option("--validation-images", inherited->validation_images,
                  "supernet: validation images per candidate, of those the training held out (0: all)")
      ->check(whole_number_in(0, 1000000))
      ->capture_default_str();
  cmd->add_option("--data", inherited->data_dir, "supernet: directory of the IDX image files")
      ->capture_default_str();
  cmd->add_option("--accuracy-timeout", c->estimator_timeout_s,
                  "Seconds the accuracy command may take per candidate (batch:CMD: per candidate of the "
                  "generation)")
      ->check(positive_finite())
      ->capture_default_str();
  add_constraint_options(cmd, *c);
  add_codesign_options(cmd, *c, *codesign);
  cmd->add_option("-j,--jobs", c->jobs, "Evaluation worker processes (default: all cores)")
      ->check(whole_number_in(1, 1024));
  cmd->add_option("--out", c->out, "Output directory (default: search-out/SPACE-OBJECTIVE-STRATEGY-seedS)");
  cmd->add_flag("--resume", c->resume, "Continue the search whose journal is in --out");
  cmd->add_flag("--quiet", c->quiet, "No progress display");
  return [c, flags, inherited, codesign]() {
    if (int((*flags)[0]) + int((*flags)[1]) + int((*flags)[2]) > 1) {
      throw InputError("--energy/--latency/--edp", "", "choose one hardware objective");
    }
    c->hardware = (*flags)[1] ? "latency" : (*flags)[2] ? "edp" : "energy";
    read_codesign(*codesign, *c);
    c->arch = resolve_arch(c->arch);
    c->data_dir = COSIM_DATA_DIR;
    c->more_estimators = supernet_estimators(*inherited);
    try {
      const std::string out = run_search(*c);
      if (out.empty()) return 0;  // an MPI rank that only evaluated
      std::cout << "cosim search: results in " << out << "/ (front.csv, front.json, front/*.json workloads, "
                << "hypervolume.csv, front.png, hypervolume.png, journal.jsonl)\n";
    } catch (const EstimatorError& e) {
      throw InputError(c->estimator, "", std::string(e.what()) + "; finished evaluations are in the journal");
    }
    return 0;
  };
}

}  // namespace cosim
