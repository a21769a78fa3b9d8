#include "cli/workload_inputs.hpp"

#include <filesystem>
#include <iostream>
#include <set>
#include <stdexcept>

#include "cli/commands.hpp"
#include "importer/workload_file.hpp"
#include "mapper/fixed_mapping.hpp"
#include "mapper/network_schedule.hpp"
#include "nas/search_space.hpp"
#include "spec/input_error.hpp"
#include "spec/json_reader.hpp"

namespace cosim {

void WorkloadInputs::add_to(CLI::App* cmd, bool mapper_choice) {
  cmd->add_option("WORKLOAD", workload,
                  "Workload file (JSON, docs/workload-format.md), e.g. workloads/vit.json, an ONNX "
                  "model (.onnx, imported as `cosim import` does), or a search space's candidate by its "
                  "encoding as front.csv writes it, e.g. cnn_fmnist:21.4.4.4.15.21.14.16")
      ->required();
  cmd->add_option("--ops", ops_file,
                  "With an ONNX model: operator rules (docs/import.md) saying which layers run on the shift "
                  "or adder chunk");
  cmd->add_option(
         "--arch", arch,
         "Architecture file (JSON, docs/architecture-format.md) or preset name: default, systolic32, "
         "eyeriss_like, vitcod_like")
      ->capture_default_str();
  cmd->add_option("--objective", objective,
                  "What the auto-mapper minimizes per layer: latency (cycles), energy, or edp "
                  "(energy-delay product)")
      ->check(CLI::IsMember({"latency", "energy", "edp"}))
      ->capture_default_str();
  if (mapper_choice) {
    cmd->add_option(
        "--mapping", mapping_file,
        "Mapping file (cosim-mapping/1, e.g. written by `cosim map --format json`): the layers it "
        "names are mapped as it says, the others by the auto-mapper; \"fixed\" uses the fixed rule "
        "of docs/accelerator-model.md for every layer");
  }
  cmd->add_option(
         "--pipeline", pipeline,
         "Stream this many batch items through the units, pipelined across chunks (0: the batch runs "
         "layer by layer)")
      ->check(CLI::Range(0, 1024))
      ->capture_default_str();
  cmd->add_option(
      "--mask", mask,
      "Read every attention mask given as an .npy file from this file instead (layers x heads x N "
      "x N, bool or uint8, true = pruned)");
  cmd->add_flag("--no-polarize", no_polarize,
                "Ablation: no global tokens; every kept entry goes to the sparser engine");
  cmd->add_flag("--no-encoder", no_encoder, "Ablation: Q and K move uncompressed; no encoder/decoder work");
  cmd->add_flag(
      "--dense-attention", dense_attention,
      "Ablation: ignore attention masks; attention runs dense on the multiplier chunk and the vector "
      "unit");
}

ArchSpec WorkloadInputs::read_arch_spec() const {
  ArchSpec a = read_arch(resolve_arch(arch));
  if (a.sparse_attention) {
    if (no_polarize) a.sparse_attention->polarize = false;
    if (no_encoder) a.sparse_attention->encoder = false;
    if (dense_attention) a.sparse_attention->use = false;
  }
  return a;
}

namespace {

// "SPACE:1.2.3..." naming no file: a search space's candidate by its encoding, as front.csv and the journals
// write it (e.g. cnn_fmnist:21.4.4.4.15.21.14.16); SPACE is a built-in space or a space file.
bool names_a_candidate(const std::string& text) {
  const size_t colon = text.rfind(':');
  if (colon == std::string::npos || colon + 1 == text.size() || std::filesystem::exists(text)) return false;
  return text.find_first_not_of("0123456789.", colon + 1) == std::string::npos;
}

Network candidate_network(const std::string& text, const NetworkOptions& options) {
  const size_t colon = text.rfind(':');
  const std::string name = text.substr(0, colon);
  namespace fs = std::filesystem;
  if (!fs::exists(name) && !fs::exists(fs::path(COSIM_DATA_DIR) / "spaces" / (name + ".json")))
    throw InputError(text, "",
                     "no such workload file, nor a candidate of a search space (" + name +
                         " is neither a built-in space such as cnn_fmnist nor a space file)");
  const std::unique_ptr<SearchSpace> space = read_space(name, COSIM_DATA_DIR);
  Candidate c;
  try {
    c = space->normalize(space->decode(space->name + text.substr(colon)));
  } catch (const std::invalid_argument& e) {
    throw InputError(text, "", e.what());
  }
  return read_network(JsonField::from(space->workload(c, space->encode(c)), text), options);
}

}  // namespace

Network WorkloadInputs::read_workload(const ArchSpec& a) const {
  NetworkOptions options;
  options.mask_file = mask;
  Network net = names_a_candidate(workload)
                    ? candidate_network(workload, options)
                    : read_workload_file(workload, options,
                                         ops_file.empty() ? ImportOptions{} : read_import_options(ops_file));
  check_supported(net, a);
  notes = workload_notes(net, a, workload);
  for (const std::string& n : notes) std::cerr << "cosim: warning: " << n << "\n";
  return net;
}

std::vector<std::string> workload_notes(const Network& net, const ArchSpec& a, const std::string& workload) {
  std::set<const AttentionInfo*> masked;
  for (const Layer& l : net.layers)
    if (l.attention && l.attention->mask) masked.insert(l.attention.get());
  if (masked.empty() || a.sparse_attention) return {};
  return {std::to_string(masked.size()) + " attention layer(s) of " + workload +
          " have masks, but the architecture " + a.name +
          " has no sparse-attention engine: the masks are not used and attention runs dense"};
}

const MappingFile* WorkloadInputs::mapping() const {
  if (mapping_file.empty() || mapping_file == "fixed") return nullptr;
  if (!mapping_) mapping_ = read_mapping_file(mapping_file);
  return &*mapping_;
}

MappedWorkload WorkloadInputs::map(const ArchSpec& a, const Network& net) const {
  MappedWorkload m;
  if (mapping_file == "fixed") {
    const LayerCostModel model(a);
    m.mapping.plans = fixed_mapping(net, a);
    for (const LayerPlan& p : m.mapping.plans) {
      LayerMappingRecord r;
      r.cost = r.fixed_cost = model.plan(p, net.layers[size_t(p.layer)].vector_op);
      m.mapping.records.push_back(r);
    }
    m.description = "fixed rule";
  } else {
    m.mapping = auto_mapping(net, a, objective_value(), mapping());
    m.description = std::string("auto-mapper, objective ") + to_string(objective_value()) +
                    (mapping() ? ", layers in " + mapping_file + " as given" : "");
  }
  if (pipeline > 0) {
    std::vector<LayerCost> costs;
    for (const LayerMappingRecord& r : m.mapping.records) costs.push_back(r.cost);
    const Schedule s = schedule_pipelined(m.mapping.plans, costs, a.unit_count(), pipeline);
    m.plans = pipelined_plans(m.mapping.plans, s);
    m.description += ", " + std::to_string(pipeline) + " items pipelined";
  } else {
    m.plans = m.mapping.plans;
  }
  return m;
}

}  // namespace cosim
