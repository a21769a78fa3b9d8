// One configuration of a sweep, run in its own process (SystemC elaborates once per process): the
// accelerator is built once and every workload of the sweep streams through it, each mapped by the
// auto-mapper. The task and its result are JSON so they can cross pipes and MPI.
#pragma once

#include <nlohmann/json.hpp>

namespace cosim {

// task: {"arch": architecture document, "arch_file": where it came from (relative paths in it are resolved
// from there), "workloads": [files], "mapping_objective": "edp"}
// result: {"workloads": [{"workload", "cycles", "latency_ms", "energy_uJ", "edp_uJ_ms", "utilization",
// "macs", "energy_uJ_by_kind": {"compute", "local", "glb", "dram", "idle", "static"}}]}
nlohmann::json run_configuration(const nlohmann::json& task);

}  // namespace cosim
