#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>

#include "cli/commands.hpp"
#include "cli/report_format.hpp"
#include "cli/report_output.hpp"
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

CommandAction add_run_command(CLI::App& app) {
  struct Options {
    WorkloadInputs in;
    ReportOutput out{
        {"table", "json", "csv"},
        "table: for people; json / csv: for scripts, with units in the field names (cycles, _us, "
        "_pJ)"};
  };
  auto o = std::make_shared<Options>();
  CLI::App* run = app.add_subcommand("run",
                                     "Simulate a workload on an accelerator and report per-layer and total "
                                     "latency, energy and utilization.");
  o->in.add_to(run, true);
  o->out.add_to(run);
  return [o]() {
    const std::string format = o->out.format();
    ArchSpec arch = o->in.read_arch_spec();
    const Network net = o->in.read_workload(arch);
    const MappedWorkload mapped = o->in.map(arch, net);
    NetworkSimulator sim(std::move(arch));
    RunReport report = sim.run(net, mapped.plans);
    report.mapper = mapped.description;
    report.notes = o->in.notes;
    std::string text;
    if (format == "json")
      text = to_json(report).dump(2) + "\n";
    else if (format == "csv")
      text = format_csv(report);
    else
      text = format_table(report);
    write_outputs({{o->out.path(), text}});
    return 0;
  };
}

}  // namespace cosim
