// Evaluating candidate networks on the accelerator model: each worker process elaborates the SystemC model
// once (SystemC elaborates once per process) and maps with a cache shared by all its candidates, so layers
// repeated across candidates are searched once per worker; candidates go to the workers in parallel.
#pragma once

#include <array>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "mapper/layer_cost.hpp"
#include "parallel/mpi_world.hpp"
#include "parallel/process_pool.hpp"
#include "parallel/task_dispatch.hpp"
#include "spec/arch_spec.hpp"

namespace cosim {

struct HardwareMetrics {
  uint64_t cycles = 0;
  double latency_ms = 0, energy_uJ = 0, edp_uJ_ms = 0, utilization = 0;
  uint64_t macs = 0;
  std::array<uint64_t, 3> macs_by_op{};  // the PE operations of each operator (OpType order), as simulated
};
nlohmann::json to_json(const HardwareMetrics& m);
HardwareMetrics hardware_metrics_from(const nlohmann::json& j);

// The evaluation workers of a search: forked on this machine and, under mpirun, also those of the other
// ranks (parallel/task_dispatch.hpp). Rank 0 runs the search; the other ranks only serve().
class EvaluatorPool {
 public:
  // Forks `workers` processes, then starts MPI if mpirun launched this process. Build it before anything in
  // this process elaborates SystemC. With `accelerator_per_candidate` (co-design), every candidate comes with
  // its own architecture document (relative paths in it resolved from arch.file) and is simulated in a
  // process of its own; otherwise every candidate runs on `arch`, elaborated once per worker.
  EvaluatorPool(const ArchSpec& arch, Objective mapping_objective, int workers,
                bool accelerator_per_candidate = false);

  int rank() const { return world_.rank(); }
  // Ranks > 0: evaluate what rank 0 sends until its search ends.
  void serve() { dispatch_.serve(); }

  // The metrics of each workload (cosim-workload/1 documents), in order. A workload the accelerator cannot
  // run gives its error text instead (errors[i] non-empty). `archs`: each workload's architecture document,
  // for a pool with an accelerator per candidate.
  std::vector<HardwareMetrics> evaluate(const std::vector<nlohmann::json>& workloads,
                                        std::vector<std::string>& errors,
                                        const std::vector<nlohmann::json>* archs = nullptr);
  int workers() const { return dispatch_.slots(); }

 private:
  ProcessPool pool_;
  MpiWorld world_;
  TaskDispatcher dispatch_;
  bool accelerator_per_candidate_ = false;
};

}  // namespace cosim
