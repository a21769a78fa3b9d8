#include "sweep/configuration_run.hpp"

#include <filesystem>

#include "flow/network_simulator.hpp"
#include "importer/workload_file.hpp"
#include "mapper/auto_mapping.hpp"
#include "spec/arch_spec.hpp"
#include "spec/json_reader.hpp"
#include "spec/network.hpp"

namespace cosim {

nlohmann::json run_configuration(const nlohmann::json& task) {
  const ArchSpec arch = read_arch(JsonField::from(task.at("arch"), task.at("arch_file").get<std::string>()));
  const Objective objective = objective_from_string(task.at("mapping_objective").get<std::string>());
  NetworkSimulator sim(arch);
  MappingCache cache;
  nlohmann::json workloads = nlohmann::json::array();
  for (const auto& file : task.at("workloads")) {
    const Network net = read_workload_file(file.get<std::string>());
    check_supported(net, arch);
    const AutoMapping m = auto_mapping(net, sim.arch(), objective, nullptr, &cache);
    const RunReport r = sim.run(net, m.plans);
    const double latency_ms = r.total_us / 1000.0, energy_uJ = r.energy_pJ / 1e6;
    workloads.push_back({{"workload", std::filesystem::path(file.get<std::string>()).stem().string()},
                         {"cycles", r.total_cycles},
                         {"latency_ms", latency_ms},
                         {"energy_uJ", energy_uJ},
                         {"edp_uJ_ms", latency_ms * energy_uJ},
                         {"utilization", r.utilization},
                         {"macs", r.total_macs},
                         {"energy_uJ_by_kind",
                          {{"compute", r.dynamic.compute / 1e6},
                           {"local", r.dynamic.local / 1e6},
                           {"glb", r.dynamic.glb / 1e6},
                           {"dram", r.dynamic.dram / 1e6},
                           {"idle", r.dynamic.idle / 1e6},
                           {"static", r.static_pJ / 1e6}}}});
  }
  return {{"workloads", workloads}};
}

}  // namespace cosim
