// `cosim lut`: a cost lookup table for differentiable NAS -- per searchable block and option, the latency and
// energy it adds, simulated in its place in the network -- and the table's additivity error over random
// candidates (nas/cost_table.hpp, docs/search.md).
#include <iostream>

#include "cli/commands.hpp"
#include "cli/option_checks.hpp"
#include "cli/report_output.hpp"
#include "nas/cost_table.hpp"
#include "nas/search_space.hpp"
#include "spec/arch_spec.hpp"

#ifndef COSIM_DATA_DIR
#define COSIM_DATA_DIR "."
#endif

namespace cosim {

CommandAction add_lut_command(CLI::App& app) {
  struct Options {
    std::string space = "cnn_fmnist", arch = "default", objective = "edp";
    CostTableOptions table;
    ReportOutput out{{"table", "json", "csv"},
                     "table: for people; json: the table and every additivity check; csv: one row per block "
                     "and option (the additivity error goes to stderr)"};
  };
  auto o = std::make_shared<Options>();
  CLI::App* cmd = app.add_subcommand(
      "lut",
      "Cost lookup table for differentiable NAS (FBNet/ProxylessNAS style): per block and option of a search "
      "space, the latency and energy it adds to the network on an accelerator, simulated in place; and how "
      "far the table's sum is from whole networks simulated (docs/search.md).");
  cmd->add_option("--space", o->space, "Search space (kind cnn): a built-in name or a cosim-space/1 file")
      ->capture_default_str();
  cmd->add_option("--arch", o->arch, "Architecture file or preset name")->capture_default_str();
  cmd->add_option("--objective", o->objective, "What the auto-mapper minimizes per layer")
      ->check(CLI::IsMember({"latency", "energy", "edp"}))
      ->capture_default_str();
  cmd->add_option("--samples", o->table.samples, "Random candidates the additivity error is measured on")
      ->check(whole_number_in(0, 100000))
      ->capture_default_str();
  cmd->add_option("--seed", o->table.seed, "Seed of the random candidates")
      ->check(whole_number_in(0, UINT64_MAX))
      ->capture_default_str();
  o->out.add_to(cmd);
  return [o]() {
    const std::string format = o->out.format();
    ArchSpec arch = read_arch(resolve_arch(o->arch));
    std::unique_ptr<SearchSpace> space = read_space(o->space, COSIM_DATA_DIR);
    space->fit_to(arch);
    o->table.objective = objective_from_string(o->objective);
    NetworkSimulator sim(std::move(arch));
    const CostTable t = build_cost_table(*space, sim, o->table);
    std::string text;
    if (format == "json")
      text = to_json(t).dump(2) + "\n";
    else if (format == "csv")
      text = to_csv(t);
    else
      text = to_table(t);
    write_outputs({{o->out.path(), text}});
    if (format != "table") std::cerr << "cosim lut: " << additivity_line(t) << "\n";
    return 0;
  };
}

}  // namespace cosim
