// What one workload costs on one architecture: per layer and in total. Printed by the CLI
// (cli/report_format).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "model/area_model.hpp"
#include "model/energy_model.hpp"
#include "plan/layer_plan.hpp"

namespace cosim {

struct LayerReport {
  std::string name;
  std::string type;   // conv2d, linear, attention.qk, softmax, ...
  std::string op;     // mult / shift / adder for PE layers; the vector operation otherwise
  std::string unit;   // chunk name or "vector"
  uint64_t macs = 0;  // PE operations (vector layers: element operations)
  uint64_t start_cycle = 0, end_cycle = 0;
  uint64_t cycles = 0;          // end - start: the layer's span, overlapping its neighbours' when pipelined
  uint64_t compute_cycles = 0;  // cycles its unit spent computing it
  double time_us = 0;
  double utilization = 0;  // macs / (PEs x cycles); vector layers: element ops / (lanes x cycles)
  EnergyBreakdown energy;  // pJ
  Mapping mapping;
  ActionCounts actions;  // its traffic (bytes read and written at each level) and operations
  uint64_t tiles = 0;
  // Sparse attention (on the SDDMM row): per-head figures, and each head's energy (pJ) in the same order.
  std::shared_ptr<const AttentionLayerStats> attention;
  std::vector<EnergyBreakdown> head_energy;
};

struct RunReport {
  std::string workload, workload_file, arch, arch_file;
  std::string mapper;              // how the layers were mapped, e.g. "auto (objective edp)"
  std::vector<std::string> notes;  // what the user should know about how the inputs were taken
  int items = 1;                   // batch items streamed through the accelerator (pipelined runs)
  double clock_MHz = 0;
  uint64_t total_cycles = 0;
  double total_us = 0;
  uint64_t total_macs = 0;             // PE operations only
  double utilization = 0;              // all PEs over the whole run
  EnergyBreakdown dynamic;             // sum over layers, pJ
  ActionCounts traffic;                // sum over layers: bytes at each level
  uint64_t compulsory_dram_bytes = 0;  // Network::compulsory_dram_bytes of the run
  double static_pJ = 0;                // leakage + idle chunks over the run
  double energy_pJ = 0;                // dynamic + static
  uint64_t dram_busy_cycles = 0, glb_busy_cycles = 0;
  struct UnitUse {
    std::string name;      // chunk name or "vector"
    uint64_t busy_cycles;  // cycles it computed
  };
  std::vector<UnitUse> units;
  std::vector<LayerReport> layers;
  ArchArea area;  // of the accelerator (model/area_model.hpp)
};

}  // namespace cosim
