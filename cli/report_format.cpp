#include "cli/report_format.hpp"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "results/csv.hpp"

namespace cosim {

namespace {

double nJ(double pJ) {
  return pJ / 1000.0;
}

nlohmann::json energy_json(const EnergyBreakdown& e) {
  return {{"compute", e.compute}, {"local_buffers", e.local}, {"global_buffer", e.glb},
          {"dram", e.dram},       {"idle", e.idle},           {"total", e.total()}};
}

nlohmann::json by_tensor_json(const TensorBytes& t) {
  return {
      {"input", t.input}, {"weight", t.weight}, {"output", t.output}, {"psum", t.psum}, {"index", t.index}};
}

// Bytes read and written at each level (whole DRAM bursts; local buffers of the unit that ran the layer), and
// at DRAM and the global buffer by tensor.
nlohmann::json traffic_json(const ActionCounts& a) {
  return {{"dram", a.dram_bytes},
          {"global_buffer", a.glb_bytes},
          {"dram_by_tensor", by_tensor_json(a.dram_by_tensor)},
          {"global_buffer_by_tensor", by_tensor_json(a.glb_by_tensor)},
          {"input_buffer", a.input_buffer_bytes},
          {"weight_buffer", a.weight_buffer_bytes},
          {"output_buffer", a.output_buffer_bytes},
          {"index_buffer", a.index_buffer_bytes},
          {"value_buffer", a.value_buffer_bytes}};
}

double local_bytes(const ActionCounts& a) {
  return a.input_buffer_bytes + a.weight_buffer_bytes + a.output_buffer_bytes + a.index_buffer_bytes +
         a.value_buffer_bytes;
}

std::string tile_text(const LayerReport& l) {
  if (l.unit == "vector") return fmt::format("{} elem", l.mapping.tile_m);
  return fmt::format("{} {}x{}x{}", short_name(l.mapping.dataflow), l.mapping.tile_m, l.mapping.tile_k,
                     l.mapping.tile_n);
}

nlohmann::json attention_json(const LayerReport& l) {
  const AttentionLayerStats& a = *l.attention;
  nlohmann::json heads = nlohmann::json::array();
  uint64_t kept = 0, total = 0;
  for (size_t i = 0; i < a.heads.size(); ++i) {
    const AttentionHeadStats& h = a.heads[i];
    const uint64_t n2 = uint64_t(std::llround(double(h.kept) / (1.0 - h.sparsity)));
    kept += h.kept;
    total += n2;
    heads.push_back({{"head", h.head},
                     {"sparsity", h.sparsity},
                     {"global_tokens", h.global_tokens},
                     {"kept_entries", h.kept},
                     {"dense_entries", h.dense_entries},
                     {"dense_kept_entries", h.dense_kept},
                     {"sparse_entries", h.sparse_entries},
                     {"index_bytes", h.index_bytes},
                     {"lines_dense", h.lines_dense},
                     {"lines_sparse", h.lines_sparse},
                     {"encoder_cycles", h.pre_cycles},
                     {"dense_engine_cycles", h.dense_cycles},
                     {"sparse_engine_cycles", h.sparse_cycles},
                     {"cycles", h.cycles},
                     {"dense_utilization", h.dense_utilization},
                     {"sparse_utilization", h.sparse_utilization},
                     {"bytes_moved", h.bytes_moved},
                     {"energy_pJ", energy_json(l.head_energy[i])}});
  }
  return {{"attention", a.attention},
          {"mask_source", a.mask_source},
          {"mask_layer", a.mask_layer},
          {"sparsity", total ? 1.0 - double(kept) / double(total) : 0.0},
          {"polarized", a.polarized},
          {"encoder", a.encoded},
          {"compressed_heads", a.compressed_heads},
          {"heads", heads}};
}

std::string attention_table(const RunReport& r) {
  std::string out;
  uint64_t kept = 0, total = 0;
  for (const auto& l : r.layers) {
    if (!l.attention) continue;
    const AttentionLayerStats& a = *l.attention;
    if (out.empty()) {
      out += fmt::format("\nsparse attention ({}{}): per layer and head\n",
                         a.polarized ? "polarized" : "not polarized, all sparse",
                         a.encoded ? ", Q/K encoder on" : ", encoder off");
      out += fmt::format(
          "{:<16} {:>4} {:>8} {:>6} {:>8} {:>8} {:>8} {:>9} {:>9} {:>9} {:>9} {:>6} {:>6} {:>9} {:>9}\n",
          "attention", "head", "sparsity", "global", "kept", "dense", "sparse", "lines d/s", "cyc dense",
          "cyc sparse", "cycles", "util d", "util s", "bytes", "energy nJ");
    }
    for (size_t i = 0; i < a.heads.size(); ++i) {
      const AttentionHeadStats& h = a.heads[i];
      kept += h.kept;
      total += uint64_t(std::llround(double(h.kept) / (1.0 - h.sparsity)));
      out += fmt::format(
          "{:<16} {:>4} {:>7.1f}% {:>6} {:>8} {:>8} {:>8} {:>9} {:>9} {:>9} {:>9} {:>5.1f}% {:>5.1f}% {:>9} "
          "{:>9.1f}\n",
          a.attention, h.head, 100 * h.sparsity, h.global_tokens, h.kept, h.dense_entries, h.sparse_entries,
          fmt::format("{}/{}", h.lines_dense, h.lines_sparse), h.dense_cycles, h.sparse_cycles, h.cycles,
          100 * h.dense_utilization, 100 * h.sparse_utilization, h.bytes_moved, nJ(l.head_energy[i].total()));
    }
  }
  if (!out.empty()) {
    out += fmt::format("overall attention sparsity {:.2f}% ({} of {} entries kept)\n",
                       total ? 100.0 * (1.0 - double(kept) / double(total)) : 0.0, kept, total);
  }
  return out;
}

}  // namespace

std::string format_table(const RunReport& r) {
  size_t w = 5;
  for (const auto& l : r.layers) w = std::max(w, l.name.size());
  std::string out;
  out += fmt::format("{} on {} ({:.0f} MHz){}\n", r.workload, r.arch, r.clock_MHz,
                     r.mapper.empty() ? "" : "; layers mapped by the " + r.mapper);
  out += fmt::format(
      "{:<{}}  {:<17} {:<11} {:<6} {:>9} {:>10} {:>9} {:>5}  {:>9} {:>9} {:>9} {:>9} {:>8} {:>9}  {}\n",
      "layer", w, "type", "op", "unit", "MMACs", "cycles", "us", "util", "compute", "local", "glb", "dram",
      "idle", "total", "mapping");
  out += fmt::format(
      "{:<{}}  {:<17} {:<11} {:<6} {:>9} {:>10} {:>9} {:>5}  {:>9} {:>9} {:>9} {:>9} {:>8} {:>9}\n", "", w,
      "", "", "", "", "", "", "%", "nJ", "nJ", "nJ", "nJ", "nJ", "nJ");
  for (const auto& l : r.layers) {
    out += fmt::format(
        "{:<{}}  {:<17} {:<11} {:<6} {:>9.3f} {:>10} {:>9.2f} {:>5.1f}  {:>9.1f} {:>9.1f} {:>9.1f} {:>9.1f} "
        "{:>8.1f} "
        "{:>9.1f}  {}\n",
        l.name, w, l.type, l.op, l.unit, double(l.macs) / 1e6, l.cycles, l.time_us, 100 * l.utilization,
        nJ(l.energy.compute), nJ(l.energy.local), nJ(l.energy.glb), nJ(l.energy.dram), nJ(l.energy.idle),
        nJ(l.energy.total()), tile_text(l));
  }
  const EnergyBreakdown& d = r.dynamic;
  out += "\n";
  out += fmt::format(
      "total latency   {} cycles = {:.2f} us at {:.0f} MHz (layers overlap where the graph allows)\n",
      r.total_cycles, r.total_us, r.clock_MHz);
  out += fmt::format(
      "total energy    {:.3f} uJ = compute {:.3f} + local buffers {:.3f} + global buffer {:.3f} + DRAM "
      "{:.3f} + idle PEs {:.3f} + static {:.3f} uJ\n",
      r.energy_pJ / 1e6, d.compute / 1e6, d.local / 1e6, d.glb / 1e6, d.dram / 1e6, d.idle / 1e6,
      r.static_pJ / 1e6);
  out += fmt::format(
      "work            {:.3f} GMACs on PEs, PE utilization {:.1f}%, DRAM busy {:.1f}% of the run\n",
      double(r.total_macs) / 1e9, 100 * r.utilization,
      r.total_cycles ? 100.0 * double(r.dram_busy_cycles) / double(r.total_cycles) : 0.0);
  std::string busy;
  for (const auto& u : r.units) {
    busy += fmt::format("{}{} {:.1f}%", busy.empty() ? "" : ", ", u.name,
                        r.total_cycles ? 100.0 * double(u.busy_cycles) / double(r.total_cycles) : 0.0);
  }
  out += fmt::format("units busy      {}\n", busy);
  const double c = double(r.compulsory_dram_bytes);
  out += fmt::format(
      "traffic         DRAM {:.3f} MB ({:.2f}x the {:.3f} MB no schedule avoids: weights, input, result), "
      "global buffer {:.3f} MB, local buffers {:.3f} MB\n",
      r.traffic.dram_bytes / 1e6, c > 0 ? r.traffic.dram_bytes / c : 0.0, c / 1e6, r.traffic.glb_bytes / 1e6,
      local_bytes(r.traffic) / 1e6);
  const TensorBytes& t = r.traffic.dram_by_tensor;
  out +=
      fmt::format("DRAM by tensor  inputs {:.3f} MB, weights {:.3f} MB, outputs {:.3f} MB, index {:.3f} MB\n",
                  t.input / 1e6, t.weight / 1e6, t.output / 1e6, t.index / 1e6);
  const TensorBytes& g = r.traffic.glb_by_tensor;
  out += fmt::format(
      "GLB by tensor   inputs {:.3f} MB, weights {:.3f} MB, outputs {:.3f} MB, partial sums {:.3f} MB, "
      "index {:.3f} MB\n",
      g.input / 1e6, g.weight / 1e6, g.output / 1e6, g.psum / 1e6, g.index / 1e6);
  std::string area;
  for (const auto& u : r.area.units)
    area += fmt::format("{}{} {:.3f}", area.empty() ? "" : " + ", u.unit, u.total_um2() / 1e6);
  out += fmt::format("area            {:.3f} mm2 = {} (PE arithmetic and SRAM, technology table)\n",
                     r.area.total_mm2(), area);
  if (r.items > 1) {
    out += fmt::format("throughput      {} items in {} cycles: {:.1f} cycles per item, {:.1f} items/s\n",
                       r.items, r.total_cycles, double(r.total_cycles) / r.items,
                       r.total_us > 0 ? r.items / (r.total_us * 1e-6) : 0.0);
  }
  out += attention_table(r);
  for (const std::string& n : r.notes) out += "note: " + n + "\n";
  return out;
}

nlohmann::json area_json(const ArchArea& a) {
  nlohmann::json units = nlohmann::json::object();
  for (const auto& u : a.units) {
    units[u.unit] = {
        {"compute", u.compute_um2 / 1e6}, {"buffers", u.buffer_um2 / 1e6}, {"total", u.total_um2() / 1e6}};
  }
  return {{"total", a.total_mm2()}, {"units", units}};
}

nlohmann::json to_json(const RunReport& r) {
  nlohmann::json layers = nlohmann::json::array();
  for (const auto& l : r.layers) {
    nlohmann::json mapping = {{"tiles", l.tiles},
                              {"loop_order", l.mapping.loop_order},
                              {"input_home", l.mapping.input_home},
                              {"output_home", l.mapping.output_home}};
    if (l.unit == "vector") {
      mapping["tile_elements"] = l.mapping.tile_m;
    } else {
      mapping["dataflow"] = to_string(l.mapping.dataflow);
      mapping["tile"] = {{"m", l.mapping.tile_m}, {"k", l.mapping.tile_k}, {"n", l.mapping.tile_n}};
      mapping["weight_home"] = l.mapping.weight_home;
      if (!l.mapping.glb_loop_order.empty()) {
        mapping["glb_tile"] = {
            {"m", l.mapping.glb_tile_m}, {"k", l.mapping.glb_tile_k}, {"n", l.mapping.glb_tile_n}};
        mapping["glb_loop_order"] = l.mapping.glb_loop_order;
      }
    }
    nlohmann::json entry = {{"name", l.name},
                            {"type", l.type},
                            {"op", l.op},
                            {"unit", l.unit},
                            {"macs", l.macs},
                            {"start_cycle", l.start_cycle},
                            {"end_cycle", l.end_cycle},
                            {"cycles", l.cycles},
                            {"compute_cycles", l.compute_cycles},
                            {"time_us", l.time_us},
                            {"utilization", l.utilization},
                            {"energy_pJ", energy_json(l.energy)},
                            {"traffic_bytes", traffic_json(l.actions)},
                            {"mapping", mapping}};
    if (l.attention) entry["sparse_attention"] = attention_json(l);
    layers.push_back(entry);
  }
  nlohmann::json units = nlohmann::json::array();
  for (const auto& u : r.units) units.push_back({{"name", u.name}, {"busy_cycles", u.busy_cycles}});
  nlohmann::json total_energy = energy_json(r.dynamic);
  total_energy["static"] = r.static_pJ;
  total_energy["total"] = r.energy_pJ;
  return {{"format", "cosim-report/1"},
          {"workload", r.workload},
          {"workload_file", r.workload_file},
          {"arch", r.arch},
          {"arch_file", r.arch_file},
          {"clock_MHz", r.clock_MHz},
          {"mapper", r.mapper},
          {"notes", r.notes},
          {"items", r.items},
          {"total",
           {{"cycles", r.total_cycles},
            {"time_us", r.total_us},
            {"macs", r.total_macs},
            {"utilization", r.utilization},
            {"dram_busy_cycles", r.dram_busy_cycles},
            {"glb_busy_cycles", r.glb_busy_cycles},
            {"energy_pJ", total_energy},
            {"traffic_bytes", traffic_json(r.traffic)},
            {"compulsory_dram_bytes", r.compulsory_dram_bytes}}},
          {"units", units},
          {"area_mm2", area_json(r.area)},
          {"layers", layers}};
}

// One row per layer (a layer's static energy is not apportioned: the run's total is in the table and JSON
// formats). Units in the column names.
std::string format_csv(const RunReport& r) {
  std::string out = csv_line({"layer",
                              "type",
                              "op",
                              "unit",
                              "macs",
                              "start_cycle",
                              "end_cycle",
                              "cycles",
                              "compute_cycles",
                              "time_us",
                              "utilization",
                              "energy_compute_pJ",
                              "energy_local_pJ",
                              "energy_glb_pJ",
                              "energy_dram_pJ",
                              "energy_idle_pJ",
                              "energy_total_pJ",
                              "dram_bytes",
                              "glb_bytes",
                              "input_buffer_bytes",
                              "weight_buffer_bytes",
                              "output_buffer_bytes",
                              "dram_input_bytes",
                              "dram_weight_bytes",
                              "dram_output_bytes",
                              "dram_index_bytes",
                              "glb_input_bytes",
                              "glb_weight_bytes",
                              "glb_output_bytes",
                              "glb_psum_bytes",
                              "glb_index_bytes",
                              "dataflow",
                              "tile_m",
                              "tile_k",
                              "tile_n"});
  for (const auto& l : r.layers) {
    const bool vec = l.unit == "vector";
    const auto num = [](auto v) { return fmt::format("{}", v); };
    out += csv_line({l.name,
                     l.type,
                     l.op,
                     l.unit,
                     num(l.macs),
                     num(l.start_cycle),
                     num(l.end_cycle),
                     num(l.cycles),
                     num(l.compute_cycles),
                     fmt::format("{:.6f}", l.time_us),
                     fmt::format("{:.6f}", l.utilization),
                     fmt::format("{:.3f}", l.energy.compute),
                     fmt::format("{:.3f}", l.energy.local),
                     fmt::format("{:.3f}", l.energy.glb),
                     fmt::format("{:.3f}", l.energy.dram),
                     fmt::format("{:.3f}", l.energy.idle),
                     fmt::format("{:.3f}", l.energy.total()),
                     fmt::format("{:.0f}", l.actions.dram_bytes),
                     fmt::format("{:.1f}", l.actions.glb_bytes),
                     fmt::format("{:.1f}", l.actions.input_buffer_bytes),
                     fmt::format("{:.1f}", l.actions.weight_buffer_bytes),
                     fmt::format("{:.1f}", l.actions.output_buffer_bytes),
                     fmt::format("{:.0f}", l.actions.dram_by_tensor.input),
                     fmt::format("{:.0f}", l.actions.dram_by_tensor.weight),
                     fmt::format("{:.0f}", l.actions.dram_by_tensor.output),
                     fmt::format("{:.0f}", l.actions.dram_by_tensor.index),
                     fmt::format("{:.1f}", l.actions.glb_by_tensor.input),
                     fmt::format("{:.1f}", l.actions.glb_by_tensor.weight),
                     fmt::format("{:.1f}", l.actions.glb_by_tensor.output),
                     fmt::format("{:.1f}", l.actions.glb_by_tensor.psum),
                     fmt::format("{:.1f}", l.actions.glb_by_tensor.index),
                     vec ? "" : to_string(l.mapping.dataflow),
                     num(l.mapping.tile_m),
                     num(vec ? 0 : l.mapping.tile_k),
                     num(vec ? 0 : l.mapping.tile_n)});
  }
  return out;
}

}  // namespace cosim
