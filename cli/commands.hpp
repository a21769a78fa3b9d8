// The cosim subcommands. Each registers its options on the app and returns the action to run after parsing.
#pragma once

#include <functional>
#include <string>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "mapper/auto_mapping.hpp"
#include "spec/network.hpp"

namespace cosim {

using CommandAction = std::function<int()>;

// `cosim run WORKLOAD [--arch FILE|PRESET] [--format table|json|csv] [--output FILE]`
CommandAction add_run_command(CLI::App& app);

// `cosim map WORKLOAD [--arch ...] [--objective latency|energy|edp] [--format table|json] [--allocate]`
CommandAction add_map_command(CLI::App& app);

// `cosim search [--energy|--latency|--edp] [--space S] [--budget N] [--seed S] ...`
CommandAction add_search_command(CLI::App& app);

// `cosim sweep [SPEC] [--set FIELD=V1,V2 ...] [--workload W ...] [--random N] [--area-budget MM2] ...`
CommandAction add_sweep_command(CLI::App& app);

// `cosim verify --config NAME [--cycles N] [--seed S] | --list`
CommandAction add_verify_command(CLI::App& app);

// `cosim train [--space S] -o CHECKPOINT [--epochs N] [--standalone CANDIDATE] [--resume] ...`
CommandAction add_train_command(CLI::App& app);

// `cosim lut [--space S] [--arch A] [--samples N] [--format table|json|csv] [-o FILE]`
CommandAction add_lut_command(CLI::App& app);
// `cosim inherited SUPERNET CANDIDATE... [--candidates FILE] [--test] [--validation-images N] [--format ...]`
CommandAction add_inherited_command(CLI::App& app);

// `cosim import MODEL.onnx [-o FILE] [--ops FILE]`
CommandAction add_import_command(CLI::App& app);

// What `cosim map --format json` writes (cosim-mapping/1) for a workload on an architecture.
std::string map_workload_json(const ArchSpec& arch, const Network& net, Objective objective);

// Resolves --arch: a path to a file, or the name of a preset in arch/ (default, systolic32, eyeriss_like).
std::string resolve_arch(const std::string& arg);

}  // namespace cosim
