#include "nas/evaluation.hpp"

#include <memory>
#include <stdexcept>

#include "flow/network_simulator.hpp"
#include "mapper/auto_mapping.hpp"
#include "spec/json_reader.hpp"

namespace cosim {

nlohmann::json to_json(const HardwareMetrics& m) {
  nlohmann::json by_op = nlohmann::json::object();
  for (OpType op : kOpTypes) by_op[to_string(op)] = m.macs_by_op[size_t(op)];
  return {{"cycles", m.cycles},       {"latency_ms", m.latency_ms},   {"energy_uJ", m.energy_uJ},
          {"edp_uJ_ms", m.edp_uJ_ms}, {"utilization", m.utilization}, {"macs", m.macs},
          {"macs_by_op", by_op}};
}

HardwareMetrics hardware_metrics_from(const nlohmann::json& j) {
  HardwareMetrics m;
  m.cycles = j.at("cycles").get<uint64_t>();
  m.latency_ms = j.at("latency_ms").get<double>();
  m.energy_uJ = j.at("energy_uJ").get<double>();
  m.edp_uJ_ms = j.at("edp_uJ_ms").get<double>();
  m.utilization = j.at("utilization").get<double>();
  m.macs = j.at("macs").get<uint64_t>();
  for (OpType op : kOpTypes) m.macs_by_op[size_t(op)] = j.at("macs_by_op").at(to_string(op)).get<uint64_t>();
  return m;
}

namespace {

HardwareMetrics simulate(NetworkSimulator& sim, const nlohmann::json& workload, Objective objective,
                         MappingCache* cache) {
  const Network net = read_network(JsonField::from(workload, workload.at("name").get<std::string>()));
  check_supported(net, sim.arch());
  const AutoMapping m = auto_mapping(net, sim.arch(), objective, nullptr, cache);
  const RunReport r = sim.run(net, m.plans);
  HardwareMetrics h;
  h.cycles = r.total_cycles;
  h.latency_ms = r.total_us / 1000.0;
  h.energy_uJ = r.energy_pJ / 1e6;
  h.edp_uJ_ms = h.energy_uJ * h.latency_ms;
  h.utilization = r.utilization;
  h.macs = r.total_macs;
  for (const LayerReport& l : r.layers)  // sparse attention counts the products it kept
    if (l.unit != "vector") h.macs_by_op[size_t(op_from_string(l.op))] += l.macs;
  return h;
}

// Runs in a worker process: the model is elaborated once, at the first candidate, and the mapping cache
// lives as long as the worker.
TaskHandler candidate_evaluator(const ArchSpec& arch, Objective objective) {
  auto sim = std::make_shared<std::unique_ptr<NetworkSimulator>>();
  auto cache = std::make_shared<MappingCache>();
  return [arch, objective, sim, cache](const nlohmann::json& workload) {
    if (!*sim) *sim = std::make_unique<NetworkSimulator>(arch);
    return to_json(simulate(**sim, workload, objective, cache.get()));
  };
}

// Co-design: each task carries its own accelerator ({"workload", "arch"}), so it runs in a process of its
// own (ProcessPerTask) that elaborates that accelerator. Relative paths in the architecture document are
// resolved from `arch_file`, the base architecture's file.
TaskHandler candidate_on_its_accelerator(const std::string& arch_file, Objective objective) {
  return [arch_file, objective](const nlohmann::json& task) {
    const ArchSpec arch = read_arch(JsonField::from(task.at("arch"), arch_file));
    NetworkSimulator sim(arch);
    return to_json(simulate(sim, task.at("workload"), objective, nullptr));
  };
}

}  // namespace

EvaluatorPool::EvaluatorPool(const ArchSpec& arch, Objective mapping_objective, int workers,
                             bool accelerator_per_candidate)
    : pool_(workers,
            accelerator_per_candidate ? candidate_on_its_accelerator(arch.file, mapping_objective)
                                      : candidate_evaluator(arch, mapping_objective),
            accelerator_per_candidate ? TaskIsolation::ProcessPerTask : TaskIsolation::SharedProcess),
      dispatch_(pool_, world_),
      accelerator_per_candidate_(accelerator_per_candidate) {}

std::vector<HardwareMetrics> EvaluatorPool::evaluate(const std::vector<nlohmann::json>& workloads,
                                                     std::vector<std::string>& errors,
                                                     const std::vector<nlohmann::json>* archs) {
  std::vector<HardwareMetrics> out(workloads.size());
  errors.assign(workloads.size(), "");
  std::vector<nlohmann::json> tasks;
  if (accelerator_per_candidate_) {
    if (!archs || archs->size() != workloads.size())
      throw std::logic_error("EvaluatorPool: an accelerator per candidate, but not one per workload");
    for (size_t i = 0; i < workloads.size(); ++i)
      tasks.push_back({{"workload", workloads[i]}, {"arch", (*archs)[i]}});
  }
  dispatch_.run(accelerator_per_candidate_ ? tasks : workloads, [&](size_t i, TaskResult r) {
    if (!r.error.empty()) {
      errors[i] = r.error;
    } else {
      out[i] = hardware_metrics_from(r.result);
    }
  });
  return out;
}

}  // namespace cosim
