#include "sweep/sweep_run.hpp"

#include <chrono>
#include <filesystem>
#include <fstream>
#include <iostream>

#include <fmt/format.h>

#include "flow/model_version.hpp"
#include "model/area_model.hpp"
#include "parallel/mpi_world.hpp"
#include "parallel/process_pool.hpp"
#include "parallel/task_dispatch.hpp"
#include "results/gnuplot.hpp"
#include "results/journal.hpp"
#include "results/pareto.hpp"
#include "spec/arch_spec.hpp"
#include "spec/input_error.hpp"
#include "spec/json_reader.hpp"
#include "sweep/configuration_run.hpp"

namespace cosim {

namespace {

namespace fs = std::filesystem;

constexpr const char* kEnergyKinds[] = {"compute", "local", "glb", "dram", "idle", "static"};

// A finished configuration: its journal record and the figures over all workloads (run one after another).
struct Outcome {
  nlohmann::json record;
  bool ok = false;
  double latency_ms = 0, energy_uJ = 0, edp_uJ_ms = 0, utilization = 0, area_mm2 = 0;

  double objective(SweepObjective o) const {
    switch (o) {
      case SweepObjective::Latency:
        return latency_ms;
      case SweepObjective::Energy:
        return energy_uJ;
      case SweepObjective::Edp:
        return edp_uJ_ms;
      case SweepObjective::Area:
        return area_mm2;
    }
    return 0;
  }
};

Outcome outcome_of(const nlohmann::json& record) {
  Outcome o;
  o.record = record;
  o.area_mm2 = record.at("area_mm2").get<double>();
  if (record.contains("error")) return o;
  o.ok = true;
  const auto& ws = record.at("workloads");
  for (const auto& w : ws) {
    o.latency_ms += w.at("latency_ms").get<double>();
    o.energy_uJ += w.at("energy_uJ").get<double>();
    o.utilization += w.at("utilization").get<double>() / double(ws.size());
  }
  o.edp_uJ_ms = o.latency_ms * o.energy_uJ;
  return o;
}

std::string csv_value(const nlohmann::json& v) {
  std::string s = v.is_string() ? v.get<std::string>() : v.dump();
  if (s.find_first_of(",\"\n") == std::string::npos) return s;
  std::string q = "\"";
  for (char c : s) q += c == '"' ? std::string("\"\"") : std::string(1, c == '\n' ? ' ' : c);
  return q + "\"";
}

std::string describe_point(const SweepSpec& spec, const SweepPoint& pt) {
  std::string s;
  for (size_t k = 0; k < spec.parameters.size(); ++k) {
    s += fmt::format("{}{}={}", s.empty() ? "" : " ", spec.parameters[k].name,
                     csv_value(spec.parameters[k].values[pt.choice[k]]));
  }
  return s;
}

}  // namespace

std::string run_sweep(const SweepConfig& c, std::string& summary) {
  const auto t0 = std::chrono::steady_clock::now();
  const SweepSpec spec = read_sweep(c.spec_file, c.overrides, c.data_dir);
  double to_check = 1;
  for (const SweepParameter& p : spec.parameters) to_check *= double(p.values.size());
  if (spec.random_samples) to_check = std::min(to_check, double(spec.random_samples));
  if (!c.quiet && to_check > 2000 && rank_from_environment() == 0)
    std::cerr << fmt::format("{}: checking {:.0f} configurations against the architecture reader...\n",
                             spec.name, to_check);
  const SweepPlan plan = plan_sweep(spec);

  // Workers first (before MPI starts); under mpirun the other ranks only run what rank 0 sends them.
  ProcessPool pool(c.jobs > 0 ? c.jobs : default_worker_count(), run_configuration,
                   TaskIsolation::ProcessPerTask);
  MpiWorld world;
  TaskDispatcher dispatch(pool, world);
  if (world.rank() > 0) {
    dispatch.serve();
    return "";
  }

  std::string out = c.out;
  if (out.empty()) {
    const std::string base = "sweep-out/" + spec.name;
    out = base;
    for (int k = 2; fs::exists(out) && !c.resume; ++k) out = base + "-" + std::to_string(k);
  }
  fs::create_directories(out);
  nlohmann::json workload_texts = nlohmann::json::array();
  for (const std::string& w : spec.workloads) workload_texts.push_back(file_text(w));
  // A configuration's result depends on its architecture (the record's key), the technology table, the
  // workloads, the mapping objective and the model; the journal of any sweep that shares these is reused.
  const ArchSpec base = read_arch(JsonField::from(spec.arch, spec.arch_file));
  const nlohmann::json header = {{"journal", "cosim-sweep/1"},
                                 {"version", model_version()},
                                 {"technology_file", file_text(base.technology_file)},
                                 {"workloads", workload_texts},
                                 {"mapping_objective", to_string(spec.mapping_objective)}};
  Journal journal(out + "/journal.jsonl", header, c.resume, "sweep", "key");

  const size_t n = plan.points.size();
  std::vector<Outcome> outcomes(n);
  std::vector<bool> have(n, false);
  std::vector<nlohmann::json> tasks;
  std::vector<size_t> task_point;
  size_t from_journal = 0, failed = 0, crashed = 0, done = 0;
  for (size_t i = 0; i < n; ++i) {
    if (const nlohmann::json* r = journal.find(plan.points[i].key)) {
      outcomes[i] = outcome_of(*r), have[i] = true, ++from_journal, ++done;
      failed += outcomes[i].ok ? 0 : 1;
      continue;
    }
    nlohmann::json workloads = nlohmann::json::array();
    for (const std::string& w : spec.workloads) workloads.push_back(w);
    tasks.push_back({{"arch", plan.points[i].arch},
                     {"arch_file", spec.arch_file},
                     {"workloads", workloads},
                     {"mapping_objective", to_string(spec.mapping_objective)}});
    task_point.push_back(i);
  }
  double best_edp = 0;  // of the finished configurations
  for (size_t i = 0; i < n; ++i) {
    if (have[i] && outcomes[i].ok && (best_edp == 0 || outcomes[i].edp_uJ_ms < best_edp))
      best_edp = outcomes[i].edp_uJ_ms;
  }
  auto progress = [&]() {
    if (c.quiet) return;
    const double el = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    const size_t ran = done - from_journal;
    std::cerr << fmt::format(
                     "\r{}: {:>5}/{} configurations ({} from the journal, {} failed), best EDP {}, {:.0f} s, "
                     "~{:.0f} s left   ",
                     spec.name, done, n, from_journal, failed,
                     best_edp > 0 ? fmt::format("{:.4g} uJ*ms", best_edp) : "-", el,
                     ran ? el / double(ran) * double(n - done) : 0.0)
              << std::flush;
  };
  progress();
  dispatch.run(tasks, [&](size_t t, TaskResult r) {
    const size_t i = task_point[t];
    const SweepPoint& pt = plan.points[i];
    const ArchArea area = arch_area(read_arch(JsonField::from(pt.arch, spec.arch_file)));
    nlohmann::json units = nlohmann::json::object();
    for (const UnitArea& u : area.units) units[u.unit] = u.total_um2() / 1e6;
    nlohmann::json record = {{"key", pt.key},
                             {"assignments", pt.assignments},
                             {"area_mm2", area.total_mm2()},
                             {"area_mm2_by_unit", units}};
    if (r.error.empty()) {
      record["workloads"] = r.result.at("workloads");
    } else {
      record["error"] = r.error;
      ++failed;
    }
    // A configuration whose process died (killed, out of memory) is reported but not journalled, so that
    // --resume runs it again; one the model refused (an error it raised) is final.
    if (r.crashed) {
      ++crashed;
    } else {
      journal.append(record);
    }
    outcomes[i] = outcome_of(record), have[i] = true, ++done;
    if (outcomes[i].ok && (best_edp == 0 || outcomes[i].edp_uJ_ms < best_edp))
      best_edp = outcomes[i].edp_uJ_ms;
    progress();
  });
  if (!c.quiet) std::cerr << "\n";

  // The Pareto front over the objectives, among the configurations that ran.
  std::vector<size_t> ok;
  std::vector<std::vector<double>> objs;
  for (size_t i = 0; i < n; ++i) {
    if (!outcomes[i].ok) continue;
    ok.push_back(i);
    std::vector<double> v;
    for (SweepObjective o : spec.objectives) v.push_back(outcomes[i].objective(o));
    objs.push_back(v);
  }
  if (ok.empty()) {
    // Nothing to show: say why in one line (the journal keeps the failures) instead of empty results.
    const size_t i = size_t(std::find_if(outcomes.begin(), outcomes.end(),
                                         [](const Outcome& o) { return o.record.contains("error"); }) -
                            outcomes.begin());
    throw InputError(
        spec.file, "",
        fmt::format("none of the {} configurations could run the workloads; point {} ({}): {}", n, i,
                    describe_point(spec, plan.points[i]), outcomes[i].record.at("error").get<std::string>()));
  }
  std::vector<bool> on_front(n, false);
  for (size_t k : non_dominated(objs)) on_front[ok[k]] = true;

  // points.csv / front.csv / points.json
  std::vector<std::string> wnames;
  for (const std::string& w : spec.workloads) wnames.push_back(fs::path(w).stem().string());
  std::string head = "point";
  for (const SweepParameter& p : spec.parameters) head += "," + csv_value(p.name);
  head += ",area_mm2,latency_ms,energy_uJ,edp_uJ_ms,utilization";
  for (const std::string& w : wnames)
    head += fmt::format(",{0}.cycles,{0}.latency_ms,{0}.energy_uJ,{0}.edp_uJ_ms,{0}.utilization", w);
  head += ",pareto,error\n";
  std::string csv = head, front_csv = head;
  nlohmann::json points = nlohmann::json::array();
  for (size_t i = 0; i < n; ++i) {
    const Outcome& o = outcomes[i];
    std::string row = std::to_string(i);
    for (size_t k = 0; k < spec.parameters.size(); ++k)
      row += "," + csv_value(spec.parameters[k].values[plan.points[i].choice[k]]);
    row += fmt::format(",{:.6f}", o.area_mm2);
    if (o.ok) {
      row +=
          fmt::format(",{:.6f},{:.3f},{:.6g},{:.4f}", o.latency_ms, o.energy_uJ, o.edp_uJ_ms, o.utilization);
      for (const auto& w : o.record.at("workloads")) {
        row += fmt::format(",{},{:.6f},{:.3f},{:.6g},{:.4f}", w.at("cycles").get<uint64_t>(),
                           w.at("latency_ms").get<double>(), w.at("energy_uJ").get<double>(),
                           w.at("edp_uJ_ms").get<double>(), w.at("utilization").get<double>());
      }
    } else {
      row += std::string(4 + 5 * wnames.size(), ',');
    }
    row += fmt::format(",{},{}\n", on_front[i] ? 1 : 0, o.ok ? "" : csv_value(o.record.at("error")));
    csv += row;
    if (on_front[i]) front_csv += row;
    nlohmann::json p = o.record;
    p.erase("key");
    p["point"] = i;
    p["pareto"] = bool(on_front[i]);
    if (o.ok) {
      p["latency_ms"] = o.latency_ms, p["energy_uJ"] = o.energy_uJ, p["edp_uJ_ms"] = o.edp_uJ_ms;
      p["utilization"] = o.utilization;
    }
    points.push_back(p);
  }
  // Each front configuration as an architecture file, for `cosim run WORKLOAD --arch front/point_N.json`.
  fs::create_directories(out + "/front");
  for (size_t i = 0; i < n; ++i) {
    if (!on_front[i]) continue;
    nlohmann::json a = plan.points[i].arch;
    a["name"] = fmt::format("{}-point-{}", spec.name, i);
    if (a.contains("technology") && a["technology"].is_string())
      a["technology"] =
          fs::absolute(fs::path(spec.arch_file).parent_path() / a["technology"].get<std::string>())
              .lexically_normal()
              .string();
    write_file_whole(fmt::format("{}/front/point_{}.json", out, i), a.dump(2) + "\n");
  }
  write_file_whole(out + "/points.csv", csv);
  write_file_whole(out + "/front.csv", front_csv);
  nlohmann::json objectives = nlohmann::json::array();
  for (SweepObjective o : spec.objectives) objectives.push_back(to_string(o));
  write_file_whole(out + "/points.json",
                   nlohmann::json{{"sweep", spec.name},
                                  {"spec", spec.file},
                                  {"arch", spec.arch_file},
                                  {"workloads", spec.workloads},
                                  {"objectives", objectives},
                                  {"mapping_objective", to_string(spec.mapping_objective)},
                                  {"area_budget_mm2", spec.area_budget_mm2},
                                  {"grid_size", plan.grid_size},
                                  {"over_area_budget", plan.over_budget},
                                  {"points", points}}
                           .dump(2) +
                       "\n");

  // Plots: energy vs latency coloured by area, the front circled; the front's energy by kind.
  const size_t P = spec.parameters.size();
  const size_t c_area = P + 2, c_lat = P + 3, c_energy = P + 4, c_pareto = P + 7 + 5 * wnames.size();
  std::string bars = "point";
  for (const char* k : kEnergyKinds) bars += std::string(" ") + k;
  bars += "\n";
  for (size_t i = 0; i < n; ++i) {
    if (!on_front[i]) continue;
    bars += std::to_string(i);
    for (const char* k : kEnergyKinds) {
      double e = 0;
      for (const auto& w : outcomes[i].record.at("workloads"))
        e += w.at("energy_uJ_by_kind").at(k).get<double>();
      bars += fmt::format(" {:.3f}", e);
    }
    bars += "\n";
  }
  write_file_whole(out + "/front_energy.dat", bars);
  const std::string gp = fmt::format(
      "set terminal pngcairo size 1000,650 noenhanced\n"
      "set datafile separator ','\n"
      "set output '{0}/energy_latency.png'\n"
      "set title \"{1}: energy vs latency over {2} ({3} configurations, front of {4})\"\n"
      "set xlabel 'latency (ms)'\nset ylabel 'energy (uJ)'\nset cblabel 'area (mm2)'\n"
      "set palette rgbformulae 33,13,10\nset key top right\nset grid\n"
      "plot '{0}/points.csv' every ::1 using {5}:{6}:{7} with points pt 7 ps 1.2 palette title "
      "'configuration', "
      "'' every ::1 using (${8} == 1 ? ${5} : NaN):{6} with points pt 6 ps 2.2 lw 2 lc rgb 'black' "
      "title 'Pareto front'\n"
      "set output '{0}/front_energy.png'\n"
      "set datafile separator whitespace\n"
      "set title \"{1}: energy of the Pareto-front configurations by kind (all workloads)\"\n"
      "set style data histograms\nset style histogram rowstacked\nset style fill solid 0.8 border -1\n"
      "set boxwidth 0.75\nset key outside right\nset xlabel 'point'\nset ylabel 'energy (uJ)'\nunset "
      "cblabel\n"
      "set linetype 2 lc rgb '#4e79a7'\nset linetype 3 lc rgb '#59a14f'\nset linetype 4 lc rgb '#edc948'\n"
      "set linetype 5 lc rgb '#e15759'\nset linetype 6 lc rgb '#bab0ac'\nset linetype 7 lc rgb '#76b7b2'\n"
      "plot for [k=2:7] '{0}/front_energy.dat' using k:xtic(1) title columnheader(k) lt k\n",
      out, spec.name, fmt::join(wnames, " + "), n, std::count(on_front.begin(), on_front.end(), true), c_lat,
      c_energy, c_area, c_pareto);
  draw_with_gnuplot(out, "plots", gp);

  // Summary: the best configuration for each figure, and the front.
  summary = fmt::format("sweep {}: {} configurations over {} ({} ran now, {} from the journal, {} failed",
                        spec.name, n, fmt::join(wnames, ", "), n - from_journal, from_journal, failed);
  if (plan.over_budget) {
    summary += fmt::format("; {} more exceed the area budget of {} mm2 and were not run", plan.over_budget,
                           spec.area_budget_mm2);
  }
  summary += ")\n";
  if (crashed) {
    summary += fmt::format("{} configurations failed because their process died; --resume runs them again\n",
                           crashed);
  }
  if (world.size() > 1) {
    summary += fmt::format("MPI: {} ranks ran {} configurations ({} each)\n", world.size(), tasks.size(),
                           fmt::join(dispatch.tasks_by_rank(), ", "));
  }
  summary +=
      fmt::format("Pareto front over {}: {} configurations (marked in points.csv, listed in front.csv)\n",
                  fmt::join(objectives, ", "), std::count(on_front.begin(), on_front.end(), true));
  for (SweepObjective o :
       {SweepObjective::Latency, SweepObjective::Energy, SweepObjective::Edp, SweepObjective::Area}) {
    size_t best = n;
    for (size_t i : ok) {
      if (best == n || outcomes[i].objective(o) < outcomes[best].objective(o)) best = i;
    }
    if (best == n) continue;
    const Outcome& b = outcomes[best];
    summary += fmt::format(
        "best {:<7} point {:>4}: latency {:.3f} ms, energy {:.1f} uJ, EDP {:.4g} uJ*ms, area "
        "{:.3f} mm2 | {}\n",
        std::string(to_string(o)) + ":", best, b.latency_ms, b.energy_uJ, b.edp_uJ_ms, b.area_mm2,
        describe_point(spec, plan.points[best]));
  }
  if (failed) {
    for (size_t i = 0; i < n; ++i) {
      if (outcomes[i].ok) continue;
      summary += fmt::format("failed: point {} ({}): {}\n", i, describe_point(spec, plan.points[i]),
                             outcomes[i].record.at("error").get<std::string>());
      break;
    }
  }
  summary += fmt::format(
      "results in {}/: points.csv, points.json, front.csv, energy_latency.png, "
      "front_energy.png, front/point_N.json (architectures), summary.txt, journal.jsonl\n",
      out);
  write_file_whole(out + "/summary.txt", summary);
  return out;
}

}  // namespace cosim
