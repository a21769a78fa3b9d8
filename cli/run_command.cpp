#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>

#include "cli/commands.hpp"
#include "cli/report_format.hpp"
#include "cli/workload_inputs.hpp"
#include "flow/network_simulator.hpp"
#include "results/journal.hpp"
#include "spec/input_error.hpp"
#include "spec/preset_files.hpp"

#ifndef COSIM_DATA_DIR
#define COSIM_DATA_DIR "."
#endif

namespace cosim {

std::string resolve_arch(const std::string& arg) {
  return resolve_preset(arg, "", COSIM_DATA_DIR, "arch");
}

void write_output(const std::string& path, const std::string& text) {
  if (path.empty() || path == "-") {
    std::cout << text << std::flush;
    return;
  }
  write_file_whole(path, text);
}

CommandAction add_run_command(CLI::App& app) {
  struct Options {
    WorkloadInputs in;
    std::string format = "table";
    std::string output;
  };
  auto o = std::make_shared<Options>();
  CLI::App* run = app.add_subcommand("run",
                                     "Simulate a workload on an accelerator and report per-layer and total "
                                     "latency, energy and utilization.");
  o->in.add_to(run, true);
  run->add_option(
         "--format", o->format,
         "table: for people; json / csv: for scripts, with units in the field names (cycles, _us, _pJ)")
      ->check(CLI::IsMember({"table", "json", "csv"}))
      ->capture_default_str();
  run->add_option("-o,--output", o->output,
                  "Write the report to this file (whole or not at all) instead of stdout");
  return [o]() {
    ArchSpec arch = o->in.read_arch_spec();
    const Network net = o->in.read_workload(arch);
    const MappedWorkload mapped = o->in.map(arch, net);
    NetworkSimulator sim(std::move(arch));
    RunReport report = sim.run(net, mapped.plans);
    report.mapper = mapped.description;
    std::string text;
    if (o->format == "json")
      text = to_json(report).dump(2) + "\n";
    else if (o->format == "csv")
      text = format_csv(report);
    else
      text = format_table(report);
    write_output(o->output, text);
    return 0;
  };
}

}  // namespace cosim
