// Level-2 model: the whole accelerator at tile granularity (docs/accelerator-model.md). Each unit (a PE-array
// chunk or the vector unit) is three SystemC threads, load -> compute -> store, with two buffer slots on each
// side (double buffering), so the load of the next tile and the store of the previous one overlap the current
// tile's compute. Loads and stores share one DRAM channel and one global-buffer port with every other unit.
// Time advances by whole tiles and transfers (wait(n cycles)); no process wakes every cycle.
//
// Build it once per hardware configuration; run() can be called again and again to stream workloads through
// it.
#pragma once

#include <memory>
#include <vector>

#include <systemc>

#include "plan/layer_plan.hpp"
#include "sim/accel/arbitrated_channel.hpp"
#include "spec/arch_spec.hpp"

namespace cosim {

struct PlanTiming {
  uint64_t start = 0;           // cycle its first load was issued
  uint64_t end = 0;             // cycle its last store completed
  uint64_t compute_cycles = 0;  // cycles its unit computed for it
};

struct SimResult {
  uint64_t total_cycles = 0;
  std::vector<PlanTiming> plans;       // one per LayerPlan, same order
  std::vector<uint64_t> unit_compute;  // busy compute cycles per unit
  uint64_t dram_busy_cycles = 0, glb_busy_cycles = 0;
};

class PipelineUnit;

class Accelerator : public sc_core::sc_module {
 public:
  Accelerator(sc_core::sc_module_name name, const ArchSpec& arch);
  ~Accelerator() override;

  // Runs the plans (dependencies as LayerPlan::deps) to completion. Call from sc_main, not from a process.
  SimResult run(const std::vector<LayerPlan>& plans);

  // One simulated cycle, as SystemC time.
  static sc_core::sc_time cycle() { return sc_core::sc_time(1, sc_core::SC_NS); }
  static uint64_t now_cycles();

 private:
  ArbitratedChannel dram_, glb_;
  std::vector<std::unique_ptr<PipelineUnit>> units_;
};

}  // namespace cosim
