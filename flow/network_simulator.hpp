// Runs whole workloads on one hardware configuration: maps each layer, streams the plans through the
// accelerator model (elaborated once, in the constructor), and prices the result in energy.
// One per process: SystemC elaborates once per process.
#pragma once

#include "flow/run_report.hpp"
#include "sim/accel/accelerator.hpp"
#include "spec/network.hpp"

namespace cosim {

class NetworkSimulator {
 public:
  // `name` tells apart several simulators elaborated in one process (all must exist before the first run).
  explicit NetworkSimulator(ArchSpec arch, const char* name = "accelerator");

  const ArchSpec& arch() const { return arch_; }
  // Maps with the auto-mapper (objective EDP), then runs.
  RunReport run(const Network& net);
  // Runs plans from any mapper (for pipelined runs: several batch items, mapper/network_schedule.hpp).
  RunReport run(const Network& net, const std::vector<LayerPlan>& plans);

 private:
  ArchSpec arch_;
  Accelerator accel_;
  EnergyModel energy_;
};

}  // namespace cosim
