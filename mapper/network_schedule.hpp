// The network level of the mapper: the mapped workload as a DAG of plans (Boost.Graph), the order the
// accelerator's units take them in, and a predicted schedule built from each plan's cost alone (contention
// for DRAM and the global buffer is left to the simulation).
//
// Two schedules:
//   * layer by layer: the batch folded into each layer (as the workload is written); each unit takes its
//     plans in program order, branches on different units overlap;
//   * pipelined: `items` batch items stream through the units; list scheduling lets a unit take the ready
//   plan
//     that can start first (ties: earlier item, then program order), so while one chunk works on item i's
//     later layers another works on item i+1's earlier ones. The plans are emitted in that order, which is
//     the order the accelerator model then follows.
#pragma once

#include <cstdint>
#include <vector>

#include <boost/graph/adjacency_list.hpp>

#include "mapper/layer_cost.hpp"
#include "plan/layer_plan.hpp"

namespace cosim {

using PlanGraph = boost::adjacency_list<boost::vecS, boost::vecS, boost::bidirectionalS>;

// Vertex i is plan i; an edge d -> i for each dependency. Throws std::logic_error on a cycle.
PlanGraph plan_graph(const std::vector<LayerPlan>& plans);

struct ScheduledPlan {
  int plan = 0;  // index into the plans given
  int item = 0;  // batch item (pipelined schedules)
  uint64_t start = 0, end = 0;
};

struct Schedule {
  std::vector<ScheduledPlan> order;  // in the order units take them
  uint64_t makespan = 0;
  std::vector<uint64_t> unit_busy;  // predicted busy cycles per unit
  int max_parallel = 1;             // most plans predicted to run at once (branches, pipelining)
};

// Layer by layer: units take their plans in program order.
Schedule schedule_layer_by_layer(const std::vector<LayerPlan>& plans, const std::vector<LayerCost>& costs,
                                 int unit_count);

// `items` copies of the plans of one batch item, list-scheduled across units.
Schedule schedule_pipelined(const std::vector<LayerPlan>& plans, const std::vector<LayerCost>& costs,
                            int unit_count, int items);

// The plans of a pipelined schedule, in its order, dependencies renumbered; runnable by the accelerator.
std::vector<LayerPlan> pipelined_plans(const std::vector<LayerPlan>& plans, const Schedule& s);

}  // namespace cosim
