// The inputs `cosim run` and `cosim map` share: a workload, an architecture (file or preset), the attention
// mask override and the sparse-engine ablations, and how layers are mapped.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include <CLI/CLI.hpp>

#include "mapper/auto_mapping.hpp"
#include "spec/arch_spec.hpp"
#include "spec/network.hpp"

namespace cosim {

// The layers mapped as the options ask, in the order the accelerator should take them.
struct MappedWorkload {
  std::vector<LayerPlan> plans;  // pipelined: every item's plans, in schedule order
  AutoMapping mapping;      // per plan of one item: cost alone and search figures (fixed rule: costs only)
  std::string description;  // e.g. "auto-mapper, objective edp"
};

struct WorkloadInputs {
  std::string workload;
  std::string arch = "default";
  std::string mask;
  std::string ops_file;  // operator rules for an ONNX model
  bool no_polarize = false, no_encoder = false, dense_attention = false;
  std::string objective = "edp";
  std::string mapping_file;
  int pipeline = 0;  // batch items streamed through the units (0: layer by layer)

  // Registers the options on a subcommand.
  void add_to(CLI::App* cmd, bool mapper_choice);

  ArchSpec read_arch_spec() const;
  Network read_workload(const ArchSpec& arch) const;
  Objective objective_value() const { return objective_from_string(objective); }
  // The mapping file, if one was given (read once).
  const MappingFile* mapping() const;
  MappedWorkload map(const ArchSpec& arch, const Network& net) const;
  // Set by read_workload (and said once on stderr): inputs the hardware cannot use, e.g. attention masks
  // on an architecture without a sparse-attention engine.
  mutable std::vector<std::string> notes;

 private:
  mutable std::optional<MappingFile> mapping_;
};

// What a run of `net` (read from `workload`) on `arch` should say besides its figures: inputs the hardware
// cannot use, e.g. attention masks on an architecture without a sparse-attention engine.
std::vector<std::string> workload_notes(const Network& net, const ArchSpec& arch,
                                        const std::string& workload);

}  // namespace cosim
