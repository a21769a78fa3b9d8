// Energy = action counts x the technology table (docs/energy.md). Dynamic energy per layer from its plan's
// action counts; idle energy of the PEs a layer leaves unused while its chunk computes; static energy
// (leakage of every PE and SRAM byte, idle energy of chunks with nothing to do) over the whole run.
#pragma once

#include <vector>

#include "plan/layer_plan.hpp"
#include "spec/arch_spec.hpp"

namespace cosim {

struct EnergyBreakdown {
  double compute = 0;  // PE operations, partial-sum adds, vector-unit element operations
  double local = 0;    // the unit's own buffers
  double glb = 0;      // global buffer
  double dram = 0;
  double idle = 0;  // PEs of the layer's chunk not used while it computes
  double total() const { return compute + local + glb + dram + idle; }
  EnergyBreakdown& operator+=(const EnergyBreakdown& o) {
    compute += o.compute, local += o.local, glb += o.glb, dram += o.dram, idle += o.idle;
    return *this;
  }
};

class EnergyModel {
 public:
  explicit EnergyModel(const ArchSpec& arch);

  // Energy in pJ of one PE operation of a chunk, at the chunk's hardware widths (model/pe_operation.hpp).
  double pe_op_pJ(const ChunkSpec& c) const;

  EnergyBreakdown layer(const LayerPlan& plan, VectorOp vector_op) const {
    return actions(plan.unit, plan.actions, vector_op);
  }
  // Energy of action counts on a unit (chunk index, vector unit or sparse-attention engine).
  EnergyBreakdown actions(int unit, const ActionCounts& a, VectorOp vector_op) const;

  // Over a run: leakage of every unit's PEs and SRAM and of the global buffer (ArchSpec::units(), the list
  // the area model counts), and idle energy of the PEs of every unit that idles (chunks, the sparse engine's
  // MACs) outside their compute cycles.
  double static_pJ(uint64_t total_cycles, const std::vector<uint64_t>& unit_compute_cycles) const;
  // The same energy charged to `cycles` of a run during which unit `unit` computes `compute_cycles` (unit -1:
  // none computes): leakage, and the idle energy of every idling unit but that one while it computes. Over
  // layers whose cycles add up to the run's and whose compute cycles add up to each unit's, it adds up to
  // static_pJ (nas/cost_table charges a network's layers with it).
  double static_share_pJ(uint64_t cycles, int unit, uint64_t compute_cycles) const;

 private:
  const ArchSpec& arch_;
  std::vector<UnitDesc> units_;  // arch_.units(): what leakage and idle energy count
  double leakage_pJ_per_cycle() const;
  double idle_pJ_per_cycle(const UnitDesc& u) const;  // of its PEs, when none computes (0 if it never idles)
  // pJ per byte of each SRAM and of DRAM, computed once (the mapper prices many mappings).
  struct UnitBytes {
    double input = 0, weight = 0, output = 0, value = 0, index = 0;
  };
  std::vector<UnitBytes> unit_bytes_;  // by unit index
  double glb_byte_ = 0, dram_byte_ = 0;
  std::vector<double> pe_op_;  // per chunk
};

}  // namespace cosim
