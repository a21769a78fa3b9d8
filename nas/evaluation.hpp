// Evaluating candidate networks on the accelerator model: each worker process elaborates the SystemC model
// once (SystemC elaborates once per process) and maps with a cache shared by all its candidates, so layers
// repeated across candidates are searched once per worker; candidates go to the workers in parallel.
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "mapper/layer_cost.hpp"
#include "spec/arch_spec.hpp"

namespace cosim {

struct HardwareMetrics {
  uint64_t cycles = 0;
  double latency_ms = 0, energy_uJ = 0, edp_uJ_ms = 0, utilization = 0;
  uint64_t macs = 0;
};
nlohmann::json to_json(const HardwareMetrics& m);
HardwareMetrics hardware_metrics_from(const nlohmann::json& j);

class EvaluatorPool {
 public:
  // Forks `workers` processes. Call before anything in this process elaborates SystemC.
  EvaluatorPool(const ArchSpec& arch, Objective mapping_objective, int workers);
  ~EvaluatorPool();
  EvaluatorPool(const EvaluatorPool&) = delete;
  EvaluatorPool& operator=(const EvaluatorPool&) = delete;

  // The metrics of each workload (cosim-workload/1 documents), in order. A workload the accelerator cannot
  // run gives its error text instead (errors[i] non-empty).
  std::vector<HardwareMetrics> evaluate(const std::vector<nlohmann::json>& workloads,
                                        std::vector<std::string>& errors);
  int workers() const { return int(workers_.size()); }

 private:
  struct Worker {
    pid_t pid = -1;
    int in = -1, out = -1;
    std::string buffer;
  };
  std::vector<Worker> workers_;
};

}  // namespace cosim
