#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>

#include "cli/commands.hpp"
#include "cli/report_format.hpp"
#include "sim/accel/network_simulator.hpp"
#include "spec/input_error.hpp"

#ifndef COSIM_DATA_DIR
#define COSIM_DATA_DIR "."
#endif

namespace cosim {

std::string resolve_arch(const std::string& arg) {
  namespace fs = std::filesystem;
  if (fs::exists(arg)) return arg;
  const bool looks_like_name = arg.find('/') == std::string::npos && arg.find(".json") == std::string::npos;
  if (looks_like_name) {
    fs::path preset = fs::path(COSIM_DATA_DIR) / "arch" / (arg + ".json");
    if (fs::exists(preset)) return preset.string();
  }
  std::string presets;
  for (const auto& e : fs::directory_iterator(fs::path(COSIM_DATA_DIR) / "arch")) {
    if (e.path().extension() == ".json") presets += (presets.empty() ? "" : ", ") + e.path().stem().string();
  }
  throw InputError(arg, "", "no such architecture file or preset (presets: " + presets + ")");
}

void write_output(const std::string& path, const std::string& text) {
  if (path.empty() || path == "-") {
    std::cout << text << std::flush;
    return;
  }
  const std::string tmp = path + ".partial";
  {
    std::ofstream out(tmp, std::ios::binary);
    if (!out) throw InputError(path, "", "cannot write output file");
    out << text;
    if (!out.flush()) throw InputError(path, "", "cannot write output file");
  }
  std::filesystem::rename(tmp, path);
}

CommandAction add_run_command(CLI::App& app) {
  struct Options {
    std::string workload;
    std::string arch = "default";
    std::string format = "table";
    std::string output;
    std::string mask;
    bool no_polarize = false, no_encoder = false, dense_attention = false;
  };
  auto o = std::make_shared<Options>();
  CLI::App* run = app.add_subcommand("run",
                                     "Simulate a workload on an accelerator and report per-layer and total "
                                     "latency, energy and utilization.");
  run->add_option("WORKLOAD", o->workload,
                  "Workload file (JSON, docs/workload-format.md), e.g. workloads/vit.json")
      ->required();
  run->add_option(
         "--arch", o->arch,
         "Architecture file (JSON, docs/architecture-format.md) or preset name: default, systolic32, "
         "eyeriss_like, vitcod_like")
      ->capture_default_str();
  run->add_option(
         "--format", o->format,
         "table: for people; json / csv: for scripts, with units in the field names (cycles, _us, _pJ)")
      ->check(CLI::IsMember({"table", "json", "csv"}))
      ->capture_default_str();
  run->add_option("-o,--output", o->output,
                  "Write the report to this file (whole or not at all) instead of stdout");
  run->add_option(
      "--mask", o->mask,
      "Read every attention mask given as an .npy file from this file instead (layers x heads x N x N, "
      "bool or uint8, true = pruned)");
  run->add_flag("--no-polarize", o->no_polarize,
                "Ablation: no global tokens; every kept entry goes to the sparser engine");
  run->add_flag("--no-encoder", o->no_encoder,
                "Ablation: Q and K move uncompressed; no encoder/decoder work");
  run->add_flag(
      "--dense-attention", o->dense_attention,
      "Ablation: ignore attention masks; attention runs dense on the multiplier chunk and the vector unit");
  return [o]() {
    ArchSpec arch = read_arch(resolve_arch(o->arch));
    if (arch.sparse_attention) {
      if (o->no_polarize) arch.sparse_attention->polarize = false;
      if (o->no_encoder) arch.sparse_attention->encoder = false;
      if (o->dense_attention) arch.sparse_attention->use = false;
    }
    NetworkOptions options;
    options.mask_file = o->mask;
    Network net = read_network(o->workload, options);
    check_supported(net, arch);
    NetworkSimulator sim(std::move(arch));
    RunReport report = sim.run(net);
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
