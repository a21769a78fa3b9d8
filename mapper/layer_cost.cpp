#include "mapper/layer_cost.hpp"

#include <stdexcept>
#include <vector>

#include "model/pipeline_timing.hpp"

namespace cosim {

const char* to_string(Objective o) {
  switch (o) {
    case Objective::Latency:
      return "latency";
    case Objective::Energy:
      return "energy";
    case Objective::Edp:
      return "edp";
  }
  return "?";
}

Objective objective_from_string(const std::string& s) {
  if (s == "latency") return Objective::Latency;
  if (s == "energy") return Objective::Energy;
  if (s == "edp") return Objective::Edp;
  throw std::invalid_argument("unknown objective \"" + s + "\" (latency, energy, edp)");
}

double LayerCostModel::energy_pJ(int unit, const ActionCounts& a, VectorOp vector_op, uint64_t cycles) const {
  std::vector<uint64_t> busy(size_t(arch_.unit_count()), 0);
  busy.at(size_t(unit)) = a.compute_cycles;
  return energy_.actions(unit, a, vector_op).total() + energy_.static_pJ(cycles, busy);
}

LayerCost LayerCostModel::plan(const LayerPlan& p, VectorOp vector_op) const {
  PipelineTiming timing(arch_);
  for (const TileStep& t : p.tiles)
    timing.push(t);  // tile by tile: the reference the skipping is tested against
  LayerCost c;
  c.cycles = timing.finish();
  c.energy_pJ = energy_pJ(p.unit, p.actions, vector_op, c.cycles);
  return c;
}

LayerCost LayerCostModel::gemm(int unit, const GemmProblem& p, const GemmTiling& t,
                               const GemmCost& closed_form) const {
  PipelineTiming timing(arch_);
  timing.push(gemm_pattern(arch_, p, t));
  LayerCost c;
  c.cycles = timing.finish();
  c.energy_pJ = energy_pJ(unit, closed_form.actions, VectorOp::Add, c.cycles);
  return c;
}

}  // namespace cosim
