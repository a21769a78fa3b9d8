// What one layer costs when it runs alone on the accelerator: the cycles (exact: PipelineTiming replays the
// accelerator model's rules) and the energy (its action counts priced by the energy model, plus leakage and
// idle energy of the whole accelerator for as long as it runs). This is the figure the mapper optimizes;
// tests/mapper prove it equal to a SystemC run of the layer alone.
#pragma once

#include <cstdint>
#include <string>

#include "mapper/gemm_tiling.hpp"
#include "model/energy_model.hpp"
#include "plan/layer_plan.hpp"
#include "spec/arch_spec.hpp"

namespace cosim {

enum class Objective { Latency, Energy, Edp };
const char* to_string(Objective o);
// "latency", "energy" or "edp"; throws std::invalid_argument otherwise.
Objective objective_from_string(const std::string& s);

struct LayerCost {
  uint64_t cycles = 0;
  double energy_pJ = 0;
  double value(Objective o) const {
    switch (o) {
      case Objective::Latency:
        return double(cycles);
      case Objective::Energy:
        return energy_pJ;
      case Objective::Edp:
        return energy_pJ * double(cycles);
    }
    return 0;
  }
};

class LayerCostModel {
 public:
  explicit LayerCostModel(const ArchSpec& arch) : arch_(arch), energy_(arch) {}

  // A materialized plan (any unit).
  LayerCost plan(const LayerPlan& p, VectorOp vector_op = VectorOp::Add) const;
  // A GEMM tiling on chunk `unit`, visiting its tiles without storing them.
  LayerCost gemm(int unit, const GemmProblem& p, const GemmTiling& t, const GemmCost& closed_form) const;
  // Energy of a layer with these action counts that lasts `cycles` cycles; increasing in `cycles`, which
  // makes it a lower bound when given a lower bound of the cycles.
  double energy_pJ(int unit, const ActionCounts& a, VectorOp vector_op, uint64_t cycles) const;

  const ArchSpec& arch() const { return arch_; }

 private:
  const ArchSpec& arch_;
  EnergyModel energy_;
};

}  // namespace cosim
