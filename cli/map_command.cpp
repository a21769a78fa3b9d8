// `cosim map`: what the auto-mapper chose for each layer, why (predicted cycles, energy, utilization, how
// many mappings it weighed), and how the layers share the chunks (schedule, allocation of PEs and buffers).
#include <filesystem>
#include <fstream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "cli/commands.hpp"
#include "cli/report_output.hpp"
#include "cli/workload_inputs.hpp"
#include "mapper/chunk_allocation.hpp"
#include "mapper/network_schedule.hpp"
#include "results/journal.hpp"
#include "results/progress.hpp"
#include "spec/input_error.hpp"

namespace cosim {

namespace {

struct Loop {
  char dim;
  int64_t trips, tile;
  bool glb;  // a loop over global-buffer tiles (else over chunk tiles inside one)
};

// A GEMM's loops over global-buffer tiles, then over the chunk tiles of one (a full global-buffer tile: the
// last of a dimension may hold fewer), then its reduction; a vector layer's loop over its tiles.
std::vector<Loop> loop_nest(const Layer& l, const LayerPlan& p) {
  const Mapping& m = p.mapping;
  if (l.work != WorkKind::Gemm) {
    const int64_t tokens = l.attention ? l.attention->tokens : 0;  // a softmax pass: its heads' rows
    const int64_t e = p.pass_groups > 0 ? p.pass_groups * tokens * tokens : int64_t(l.vector_elements);
    return {{'e', m.tile_m ? ceil_div(e, m.tile_m) : 1, m.tile_m, false}};
  }
  const int64_t mg = m.glb_tile_m ? m.glb_tile_m : l.gemm.m, ng = m.glb_tile_n ? m.glb_tile_n : l.gemm.n;
  const int64_t kg = m.glb_tile_k ? m.glb_tile_k : l.gemm.k;
  std::vector<Loop> v;
  const int64_t groups = p.pass_groups > 0 ? p.pass_groups : l.gemm.groups;
  if (groups > 1) v.push_back({'g', groups, 1, true});
  const Loop gm{'m', ceil_div(l.gemm.m, mg), mg, true}, gn{'n', ceil_div(l.gemm.n, ng), ng, true};
  if (m.glb_loop_order == "g m n") {
    v.push_back(gm), v.push_back(gn);
  } else {
    v.push_back(gn), v.push_back(gm);
  }
  v.push_back({'k', ceil_div(l.gemm.k, kg), kg, true});
  const Loop mm{'m', ceil_div(mg, m.tile_m), m.tile_m, false},
      nn{'n', ceil_div(ng, m.tile_n), m.tile_n, false};
  if (m.loop_order == "g n m k") {
    v.push_back(nn), v.push_back(mm);
  } else {
    v.push_back(mm), v.push_back(nn);
  }
  v.push_back({'k', ceil_div(kg, m.tile_k), m.tile_k, false});
  return v;
}

// "n2x192 | n6x32 m13x16 k1x384": the global-buffer loops that iterate, then the chunk loops.
std::string nest_text(const std::vector<Loop>& v) {
  std::string outer, inner;
  for (const Loop& x : v) {
    if (x.glb && x.trips == 1) continue;
    std::string& s = x.glb ? outer : inner;
    s += fmt::format("{}{}{}x{}", s.empty() ? "" : " ", x.dim, x.trips, x.tile);
  }
  return outer.empty() ? inner : outer + " | " + inner;
}

std::string homes_text(const Layer& l, const Mapping& m) {
  if (l.work != WorkKind::Gemm || m.input_home.empty()) return "";
  return m.input_home + "/" + m.weight_home + "/" + m.output_home;
}

std::string spatial_text(const Mapping& m) {
  switch (m.dataflow) {
    case Dataflow::OutputStationary:
      return "OS m>rows n>cols";
    case Dataflow::WeightStationary:
      return "WS k>rows n>cols";
    case Dataflow::InputStationary:
      return "IS k>rows m>cols";
    case Dataflow::OutputStationaryTransposed:
      return "OST n>rows m>cols";
  }
  return "";
}

std::string unit_name(const ArchSpec& a, int unit) {
  return a.unit_name(unit);
}

double width(const ArchSpec& a, int unit) {
  return a.unit(unit).pes;
}

nlohmann::json allocation_json(const Allocation& al, int items) {
  nlohmann::json chunks = nlohmann::json::array();
  for (const ChunkShare& c : al.chunks) {
    chunks.push_back({{"chunk", c.chunk},
                      {"rows", c.rows},
                      {"cols", c.cols},
                      {"input_buffer_bytes", c.input_buffer},
                      {"weight_buffer_bytes", c.weight_buffer},
                      {"output_buffer_bytes", c.output_buffer},
                      {"stage_cycles", c.stage_cycles}});
  }
  return {{"chunks", chunks},
          {"other_units_stage_cycles", al.other_stage_cycles},
          {"bottleneck_cycles", al.bottleneck},
          {"items", items}};
}

// The architecture file with the allocation's chunk shapes and buffers.
nlohmann::json allocated_arch_json(const ArchSpec& from, const Allocation& al) {
  std::ifstream in(from.file);
  nlohmann::json j = nlohmann::json::parse(in);
  for (size_t i = 0; i < al.chunks.size(); ++i) {
    nlohmann::json& c = j["chunks"][i];
    c["rows"] = al.chunks[i].rows;
    c["cols"] = al.chunks[i].cols;
    c["buffers"] = {{"input", size_text(al.chunks[i].input_buffer)},
                    {"weight", size_text(al.chunks[i].weight_buffer)},
                    {"output", size_text(al.chunks[i].output_buffer)}};
  }
  j["name"] = from.name + "_balanced";
  j["description"] =
      "Chunks of " + from.name +
      " re-sized by `cosim map --allocate` so that the pipeline stages balance (same total PEs "
      "and buffer bytes).";
  return with_portable_technology(j, from.file);
}

// Everything `cosim map` reports: the mapping, its schedules and the chunk allocations.
struct MapResults {
  const ArchSpec& arch;
  const Network& net;
  Objective objective;
  AutoMapping m;
  Schedule layered, piped;
  int items = 8;
  Allocation current;
  std::optional<Allocation> equal, balanced;

  // Cycles of `items` items pipelined on an allocation's architecture, mapped afresh.
  uint64_t pipelined_makespan(const Allocation& al) const {
    const AutoMapping am = auto_mapping(net, al.arch, objective);
    std::vector<LayerCost> c;
    for (const LayerMappingRecord& r : am.records) c.push_back(r.cost);
    return schedule_pipelined(am.plans, c, al.arch.unit_count(), items).makespan;
  }
  double utilization(size_t i) const {
    const LayerPlan& p = m.plans[i];
    return double(p.actions.macs) / (width(arch, p.unit) * double(m.records[i].cost.cycles));
  }
};

MapResults map_workload(const ArchSpec& arch, const Network& net, Objective objective, int pipeline,
                        bool allocate) {
  MapResults r{arch, net, objective, auto_mapping(net, arch, objective), {}, {}, 8, {}, {}, {}};
  r.current = current_allocation(arch, r.m);
  std::vector<LayerCost> costs;
  for (const LayerMappingRecord& x : r.m.records) costs.push_back(x.cost);
  r.layered = schedule_layer_by_layer(r.m.plans, costs, arch.unit_count());
  r.items = pipeline > 0 ? pipeline : 8;
  r.piped = schedule_pipelined(r.m.plans, costs, arch.unit_count(), r.items);
  if (allocate) {
    r.equal = equal_allocation(net, arch, objective);
    ProgressLine progress(true);
    r.balanced = balanced_allocation(net, arch, objective, [&](size_t done, size_t shapes) {
      progress.update(fmt::format("--allocate: the network mapped at {} of {} chunk shapes", done, shapes));
    });
  }
  return r;
}

nlohmann::json layer_json(const MapResults& r, size_t i) {
  const ArchSpec& arch = r.arch;
  const LayerPlan& p = r.m.plans[i];
  const Layer& l = r.net.layers[size_t(p.layer)];
  const LayerMappingRecord& rec = r.m.records[i];
  nlohmann::json e = {{"layer", plan_name(l.name, p, 1)},
                      {"unit", unit_name(arch, p.unit)},
                      {"cycles", rec.cost.cycles},
                      {"energy_pJ", rec.cost.energy_pJ},
                      {"utilization", r.utilization(i)},
                      {"mappings_considered", rec.stats.considered},
                      {"mappings_simulated", rec.stats.simulated},
                      {"reused", rec.reused}};
  if (l.work == WorkKind::Gemm && !p.attention && p.unit < int(arch.chunks.size())) {
    e["dataflow"] = to_string(p.mapping.dataflow);
    e["tile"] = {p.mapping.tile_m, p.mapping.tile_k, p.mapping.tile_n};
    e["loop_order"] = p.mapping.loop_order;
    e["glb_tile"] = {p.mapping.glb_tile_m, p.mapping.glb_tile_k, p.mapping.glb_tile_n};
    e["glb_loop_order"] = p.mapping.glb_loop_order;
    e["homes"] = {{"input", p.mapping.input_home},
                  {"weight", p.shown_mapping().weight_home},
                  {"output", p.mapping.output_home}};
  } else if (p.unit == arch.vector_unit_index() && l.part != AttentionPart::Softmax) {
    e["tile_elements"] = p.mapping.tile_m;
  }
  if (p.unit < int(arch.chunks.size()) || p.unit == arch.vector_unit_index()) {
    nlohmann::json nest = nlohmann::json::array();
    for (const Loop& x : loop_nest(l, p))
      nest.push_back({{"level", x.glb ? "global_buffer" : "chunk"},
                      {"dim", std::string(1, x.dim)},
                      {"trips", x.trips},
                      {"tile", x.tile}});
    e["loop_nest"] = nest;
  }
  return e;
}

std::string map_json(const MapResults& r) {
  nlohmann::json layers = nlohmann::json::array();
  for (size_t i = 0; i < r.m.plans.size(); ++i) layers.push_back(layer_json(r, i));
  nlohmann::json units = nlohmann::json::array();
  for (int u = 0; u < r.arch.unit_count(); ++u) {
    units.push_back({{"unit", unit_name(r.arch, u)},
                     {"layer_by_layer_busy_cycles", r.layered.unit_busy[size_t(u)]},
                     {"pipelined_busy_cycles", r.piped.unit_busy[size_t(u)]}});
  }
  nlohmann::json j = {{"format", "cosim-mapping/1"},
                      {"workload", r.net.file},
                      {"arch", r.arch.file},
                      {"objective", to_string(r.objective)},
                      {"seconds", r.m.seconds},
                      {"mappings_considered", r.m.total.considered},
                      {"mappings_simulated", r.m.total.simulated},
                      {"layers", layers},
                      {"schedule",
                       {{"layer_by_layer_cycles", r.layered.makespan},
                        {"pipelined_items", r.items},
                        {"pipelined_cycles", r.piped.makespan},
                        {"units", units}}},
                      {"allocation", {{"current", allocation_json(r.current, r.items)}}}};
  if (r.balanced) {
    j["allocation"]["equal_split"] = allocation_json(*r.equal, r.items);
    j["allocation"]["equal_split"]["pipelined_cycles"] = r.pipelined_makespan(*r.equal);
    j["allocation"]["balanced"] = allocation_json(*r.balanced, r.items);
    j["allocation"]["balanced"]["pipelined_cycles"] = r.pipelined_makespan(*r.balanced);
    j["allocation"]["balanced"]["options_tried"] = r.balanced->options_tried;
  }
  return j.dump(2) + "\n";
}

// The engine's line split: "40+24 lines" when every head has the same, else the range of the denser engine's.
std::string engine_lines_text(const AttentionLayerStats& a) {
  int lo = a.heads.empty() ? 0 : a.heads[0].lines_dense, hi = lo;
  for (const AttentionHeadStats& h : a.heads)
    lo = std::min(lo, h.lines_dense), hi = std::max(hi, h.lines_dense);
  const int lines = a.heads.empty() ? 0 : a.heads[0].lines_dense + a.heads[0].lines_sparse;
  if (lo == hi) return fmt::format("{}+{} lines", lo, lines - lo);
  return fmt::format("{}-{} dense of {}", lo, hi, lines);
}

// The engine's statistics of the attention a layer belongs to: on its SDDMM plan, which the SpMM shares (the
// split of the lines is per head, for both phases).
const AttentionLayerStats* engine_stats(const MapResults& r, const Layer& l) {
  for (const LayerPlan& q : r.m.plans) {
    if (q.attention && r.net.layers[size_t(q.layer)].attention == l.attention) return q.attention.get();
  }
  return nullptr;
}

std::string layer_row_text(const MapResults& r, size_t i, size_t name_width) {
  const ArchSpec& arch = r.arch;
  const LayerPlan& p = r.m.plans[i];
  const Layer& l = r.net.layers[size_t(p.layer)];
  const LayerMappingRecord& rec = r.m.records[i];
  const bool engine = p.unit == arch.sparse_engine_index();
  const std::string nest = !engine                           ? nest_text(loop_nest(l, p))
                           : l.part == AttentionPart::Scores ? "per head: SDDMM (Q.K^T kept)"
                                                             : "per head: SpMM (S.V)";
  const std::string spatial = p.unit < int(arch.chunks.size()) ? spatial_text(p.mapping)
                              : engine && engine_stats(r, l)   ? engine_lines_text(*engine_stats(r, l))
                              : engine ? fmt::format("{} lines", arch.sparse_attention->mac_lines)
                                       : fmt::format("{} lanes", arch.vector_unit.lanes);
  const double base = rec.fixed_cost.value(r.objective), mine = rec.cost.value(r.objective);
  return fmt::format("{:<{}}  {:<11} {:<36} {:<17} {:<27} {:>10} {:>11.1f} {:>5.1f}% {:>10} {:>9}\n",
                     plan_name(l.name, p, 1), name_width, unit_name(arch, p.unit), nest, spatial,
                     homes_text(l, p.shown_mapping()), rec.cost.cycles, rec.cost.energy_pJ / 1e3,
                     100.0 * r.utilization(i),
                     rec.reused                  ? "reused"
                     : rec.stats.considered == 0 ? "-"
                                                 : std::to_string(rec.stats.considered),
                     base > 0 ? fmt::format("{:+.1f}%", 100.0 * (mine - base) / base) : "");
}

std::string allocation_text(const MapResults& r, const std::string& title, const Allocation& al,
                            bool with_pipeline) {
  std::string text = fmt::format(
      "  {}: bottleneck {} cycles{}\n", title, al.bottleneck,
      with_pipeline ? fmt::format(", {} items pipelined in {} cycles", r.items, r.pipelined_makespan(al))
                    : "");
  for (const ChunkShare& c : al.chunks) {
    text += fmt::format("    {:<8} {:>3}x{:<3} buffers {}/{}/{}  stage {}\n", c.chunk, c.rows, c.cols,
                        size_text(c.input_buffer), size_text(c.weight_buffer), size_text(c.output_buffer),
                        c.stage_cycles);
  }
  if (al.other_stage_cycles)
    text += fmt::format("    vector unit / sparse engine stage {}\n", al.other_stage_cycles);
  return text;
}

std::string schedule_text(const MapResults& r) {
  std::string text =
      fmt::format("\nschedule (predicted from the layers' costs alone; `cosim run` simulates contention)\n");
  text += fmt::format("  layer by layer: {} cycles, up to {} layers at once\n", r.layered.makespan,
                      r.layered.max_parallel);
  text += fmt::format("  pipelined, {} items: {} cycles = {:.0f} cycles per item, up to {} layers at once\n",
                      r.items, r.piped.makespan, double(r.piped.makespan) / r.items, r.piped.max_parallel);
  text += "  busy per unit (layer by layer):";
  for (int u = 0; u < r.arch.unit_count(); ++u)
    text += fmt::format(" {} {}", unit_name(r.arch, u), r.layered.unit_busy[size_t(u)]);
  text += "\n\nchunk allocation (stage: one item's cycles on the chunk)\n";
  text += allocation_text(r, "current", r.current, false);
  if (r.balanced) {
    text += allocation_text(r, "equal split", *r.equal, true);
    text += allocation_text(r, fmt::format("balanced ({} allocations tried)", r.balanced->options_tried),
                            *r.balanced, true);
  } else {
    text += "  (--allocate searches the allocation that balances the stages)\n";
  }
  return text;
}

std::string map_table(const MapResults& r) {
  int searched = 0, reused = 0;
  for (const LayerMappingRecord& x : r.m.records) searched += x.stats.considered > 0, reused += x.reused;
  size_t w = 5;
  for (const LayerPlan& p : r.m.plans)
    w = std::max(w, plan_name(r.net.layers[size_t(p.layer)].name, p, 1).size());
  std::string text = fmt::format(
      "{} on {} ({:.0f} MHz): {} layers mapped, objective {}, in {:.3f} s\n"
      "{} mappings considered, {} of them costed exactly (the rest bounded out); {} distinct layers "
      "searched, {} identical ones reused\n\n",
      r.net.name, r.arch.name, r.arch.clock_hz / 1e6, r.m.plans.size(), to_string(r.objective), r.m.seconds,
      r.m.total.considered, r.m.total.simulated, searched, reused);
  text += fmt::format("{:<{}}  {:<11} {:<36} {:<17} {:<27} {:>10} {:>11} {:>6} {:>10} {:>9}\n", "layer", w,
                      "unit", "loop nest (outer first)", "spatial", "in/w/out at", "cycles", "energy nJ",
                      "util", "considered", "vs fixed");
  for (size_t i = 0; i < r.m.plans.size(); ++i) text += layer_row_text(r, i, w);
  text += fmt::format(
      "\n(cycles and energy: the layer alone on its unit, exact; loop nest: dim, trips x tile, the loops "
      "over "
      "global-buffer tiles before the |, those over chunk tiles inside one after it; in/w/out at: where the "
      "input, weights and output live (weights \"DRAM (prefetched)\": their first global-buffer tile is "
      "fetched while the layers before it run, which the layer alone does not show); considered: "
      "mappings weighed, - for schedules not searched (sparse engine, its softmax); vs fixed: change of the "
      "objective against the fixed rule of docs/accelerator-model.md)\n");
  return text + schedule_text(r);
}

}  // namespace

std::string map_workload_json(const ArchSpec& arch, const Network& net, Objective objective) {
  return map_json(map_workload(arch, net, objective, 0, false));
}

CommandAction add_map_command(CLI::App& app) {
  struct Options {
    WorkloadInputs in;
    ReportOutput out{{"table", "json"},
                     "table, or json (a cosim-mapping/1 file `cosim run --mapping` reads)"};
    bool allocate = false;
    std::string write_arch;
  };
  auto o = std::make_shared<Options>();
  CLI::App* cmd = app.add_subcommand(
      "map",
      "Map a workload with the auto-mapper and show, per layer, the chosen mapping as a loop nest, its "
      "predicted cycles, energy and utilization (exact for the layer alone) and how many mappings were "
      "weighed; then the schedule of the layers on the units and the allocation of PEs and buffers among the "
      "chunks.");
  o->in.add_to(cmd, false);
  o->out.add_to(cmd);
  cmd->add_flag(
      "--allocate", o->allocate,
      "Search the allocation of the chunks' PEs and buffers (same totals) that balances the pipeline "
      "stages, and compare it with an equal split");
  cmd->add_option("--write-arch", o->write_arch,
                  "With --allocate: write the balanced architecture to this file (for `cosim run --arch`)");
  return [o]() {
    if (!o->write_arch.empty() && !o->allocate)
      throw InputError(o->write_arch, "", "--write-arch needs --allocate");
    const std::string format = o->out.format();
    if (!o->write_arch.empty()) check_writable_path(o->write_arch);
    const ArchSpec arch = o->in.read_arch_spec();
    const Network net = o->in.read_workload(arch);
    const MapResults r = map_workload(arch, net, o->in.objective_value(), o->in.pipeline, o->allocate);
    std::vector<std::pair<std::string, std::string>> outputs;
    if (!o->write_arch.empty())
      outputs.emplace_back(o->write_arch, allocated_arch_json(arch, *r.balanced).dump(2) + "\n");
    outputs.emplace_back(o->out.path(), format == "json" ? map_json(r) : map_table(r));
    write_outputs(outputs);
    return 0;
  };
}

}  // namespace cosim
