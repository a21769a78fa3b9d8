#include <iostream>

#include <fmt/format.h>

#include "cli/commands.hpp"
#include "cli/option_checks.hpp"
#include "results/progress.hpp"
#include "rtl_cosim/pe_array_cosim.hpp"
#include "spec/input_error.hpp"

namespace cosim {

CommandAction add_verify_command(CLI::App& app) {
  struct Options {
    std::string config;
    uint64_t cycles = 10000;
    uint64_t seed = 1;
    bool list = false;
  };
  auto o = std::make_shared<Options>();
  CLI::App* verify = app.add_subcommand("verify",
                                        "Co-simulate an RTL PE array (rtl/, Verilated) in lockstep with the "
                                        "SystemC PE-array model under random "
                                        "stimulus, comparing every register of every PE each cycle. Exit "
                                        "code 0: no mismatch; 1: a mismatch (its "
                                        "cycle, PE, signal and both values are printed).");
  verify->add_option("--config", o->config, "Configuration to run (see --list)");
  verify->add_option("--cycles", o->cycles, "Cycles to compare (whole folds; at least this many)")
      ->check(whole_number_in(1, 10000000000ull))
      ->capture_default_str();
  verify->add_option("--seed", o->seed, "Seed of the random folds and operands")
      ->check(whole_number_in(0, UINT64_MAX))
      ->capture_default_str();
  verify->add_flag("--list", o->list, "List the configurations built into this binary and exit");
  return [o]() {
    if (o->list || o->config.empty()) {
      std::cout
          << "RTL configurations (rtl/CMakeLists.txt; op, rows x cols, act/weight/acc bits, overflow):\n";
      for (const RtlConfig& c : rtl_configs()) {
        std::cout << fmt::format("  {:<28} {:<5} {}x{} {}/{}/{} {}{}\n", c.name, to_string(c.op), c.rows,
                                 c.cols, c.format.act_bits, c.format.weight_bits, c.format.acc_bits,
                                 to_string(c.format.overflow),
                                 c.format.frac_bits ? fmt::format(" frac {}", c.format.frac_bits) : "");
      }
      if (!o->list) throw InputError("--config", "", "missing: name a configuration from the list above");
      return 0;
    }
    const RtlConfig* c = find_rtl_config(o->config);
    if (!c)
      throw InputError("--config", "", "no RTL configuration \"" + o->config + "\" (cosim verify --list)");
    PeArrayCosim run("verify", *c, o->cycles, o->seed);
    ProgressLine progress(true);
    run.on_fold([&](const CosimResult& now) {
      progress.update(fmt::format("{}: {} of {} cycles compared over {} folds, no mismatch so far", c->name,
                                  now.cycles, o->cycles, now.folds));
    });
    sc_core::sc_start();
    progress.finish();
    const CosimResult& r = run.result();
    if (r.ok()) {
      std::cout << fmt::format("{}: compared {} cycles over {} folds (seed {}): no mismatch\n", c->name,
                               r.cycles, r.folds, o->seed);
      return 0;
    }
    std::cout << fmt::format("{}: MISMATCH after {} cycles (seed {}): {}\n", c->name, r.cycles, o->seed,
                             r.mismatch->describe());
    return 1;
  };
}

}  // namespace cosim
