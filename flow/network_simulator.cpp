#include "flow/network_simulator.hpp"

#include <algorithm>

#include "mapper/auto_mapping.hpp"

namespace cosim {

NetworkSimulator::NetworkSimulator(ArchSpec arch, const char* name)
    : arch_(std::move(arch)), accel_(name, arch_), energy_(arch_) {}

RunReport NetworkSimulator::run(const Network& net) {
  RunReport r = run(net, auto_mapping(net, arch_, Objective::Edp).plans);
  r.mapper = "auto (objective edp)";
  return r;
}

RunReport NetworkSimulator::run(const Network& net, const std::vector<LayerPlan>& plans) {
  const SimResult sim = accel_.run(plans);
  RunReport r;
  r.workload = net.name;
  r.workload_file = net.file;
  r.arch = arch_.name;
  r.arch_file = arch_.file;
  r.clock_MHz = arch_.clock_hz / 1e6;
  r.total_cycles = sim.total_cycles;
  r.area = arch_area(arch_);
  r.total_us = arch_.cycles_to_us(double(sim.total_cycles));
  r.dram_busy_cycles = sim.dram_busy_cycles;
  r.glb_busy_cycles = sim.glb_busy_cycles;
  const std::vector<UnitDesc> units = arch_.units();
  double pes = 0;  // PEs and MACs; vector lanes are not counted in the run's utilization
  for (const UnitDesc& u : units) pes += u.kind == UnitKind::Vector ? 0 : u.pes;
  for (size_t u = 0; u < sim.unit_compute.size(); ++u) {
    r.units.push_back({units[u].name, sim.unit_compute[u]});
  }
  for (const LayerPlan& p : plans) r.items = std::max(r.items, p.item + 1);
  r.compulsory_dram_bytes = net.compulsory_dram_bytes(r.items);
  for (size_t i = 0; i < plans.size(); ++i) {
    const LayerPlan& p = plans[i];
    const Layer& l = net.layers[size_t(p.layer)];
    LayerReport lr;
    lr.name = plan_name(l.name, p, r.items);
    lr.type = l.type;
    const UnitDesc& unit = units[size_t(p.unit)];
    const bool pe_layer = unit.kind != UnitKind::Vector;
    lr.op = pe_layer ? to_string(l.op) : to_string(l.vector_op);
    lr.unit = unit.name;
    lr.macs = p.actions.macs;
    lr.start_cycle = sim.plans[i].start;
    lr.end_cycle = sim.plans[i].end;
    lr.cycles = lr.end_cycle - lr.start_cycle;
    lr.compute_cycles = sim.plans[i].compute_cycles;
    lr.time_us = arch_.cycles_to_us(double(lr.cycles));
    lr.utilization = lr.cycles ? double(lr.macs) / (double(unit.pes) * double(lr.cycles)) : 0;
    lr.energy = energy_.layer(p, l.vector_op);
    lr.mapping = p.shown_mapping();
    lr.actions = p.actions;
    r.traffic += p.actions;
    lr.tiles = p.tiles.size();
    lr.attention = p.attention;
    if (p.attention) {
      for (const AttentionHeadStats& h : p.attention->heads) {
        lr.head_energy.push_back(energy_.actions(p.unit, h.actions, l.vector_op));
      }
    }
    if (pe_layer) r.total_macs += lr.macs;
    r.dynamic += lr.energy;
    r.layers.push_back(std::move(lr));
  }
  r.utilization = r.total_cycles ? double(r.total_macs) / (pes * double(r.total_cycles)) : 0;
  r.static_pJ = energy_.static_pJ(sim.total_cycles, sim.unit_compute);
  r.energy_pJ = r.dynamic.total() + r.static_pJ;
  return r;
}

}  // namespace cosim
