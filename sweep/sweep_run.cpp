#include "sweep/sweep_run.hpp"

#include <chrono>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <set>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "flow/model_version.hpp"
#include "importer/onnx_import.hpp"
#include "model/area_model.hpp"
#include "parallel/mpi_world.hpp"
#include "parallel/process_pool.hpp"
#include "parallel/task_dispatch.hpp"
#include "results/csv.hpp"
#include "results/gnuplot.hpp"
#include "results/journal.hpp"
#include "results/pareto.hpp"
#include "results/progress.hpp"
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

// A parameter value or error as one CSV field (results/csv.hpp).
std::string csv_value(const nlohmann::json& v) {
  return csv_field(v.is_string() ? v.get<std::string>() : v.dump());
}

std::string describe_point(const SweepSpec& spec, const SweepPoint& pt) {
  std::string s;
  for (size_t k = 0; k < spec.parameters.size(); ++k) {
    s += fmt::format("{}{}={}", s.empty() ? "" : " ", spec.parameters[k].name,
                     csv_value(spec.parameters[k].values[pt.choice[k]]));
  }
  return s;
}

// One sweep: the configurations left to run (the journal has the others), their runs on the worker pool
// (over MPI ranks), the Pareto front, and the outputs.
class SweepRun {
 public:
  SweepRun(const SweepConfig& c, const SweepSpec& spec, const SweepPlan& plan, TaskDispatcher& dispatch,
           const MpiWorld& world)
      : c_(c),
        spec_(spec),
        plan_(plan),
        dispatch_(dispatch),
        world_(world),
        n_(plan.points.size()),
        out_(output_dir()),
        lock_(out_, "sweep"),
        journal_(out_ + "/journal.jsonl", journal_header(), c.resume, "sweep", "key"),
        outcomes_(n_),
        have_(n_, false) {
    for (const std::string& w : spec.workloads) wnames_.push_back(fs::path(w).stem().string());
  }

  std::string run(std::string& summary) {
    std::vector<nlohmann::json> tasks;
    std::vector<size_t> task_point;
    take_journalled(tasks, task_point);
    interrupt_.say(kept_in_journal());
    progress();
    dispatch_.run(tasks, [&](size_t t, TaskResult r) { finish(task_point[t], r); });
    progress_.finish();
    find_front();
    write_points();
    write_front_archs();
    write_plots();
    summary = summary_text(tasks.size());
    write_file_whole(out_ + "/summary.txt", summary);
    return out_;
  }

 private:
  std::string output_dir() const {
    std::string out = c_.out;
    if (out.empty()) {
      const std::string base = "sweep-out/" + spec_.name;
      out = base;
      for (int k = 2; fs::exists(out) && !c_.resume; ++k) out = base + "-" + std::to_string(k);
    }
    if (c_.resume) check_resumable(out, "sweep");
    make_output_folder(out);
    return out;
  }

  // A configuration's result depends on its architecture (the record's key), the technology table, the
  // workloads, the mapping objective and the model; the journal of any sweep that shares these is reused.
  nlohmann::json journal_header() const {
    nlohmann::json workload_texts = nlohmann::json::array();
    for (const std::string& w : spec_.workloads) {  // an ONNX model (binary) by the workload it imports as
      workload_texts.push_back(is_onnx_path(w) ? import_onnx(w).dump() : file_text(w));
    }
    const ArchSpec base = read_arch(JsonField::from(spec_.arch, spec_.arch_file));
    return {{"journal", "cosim-sweep/1"},
            {"version", model_version()},
            {"technology_file", file_text(base.technology_file)},
            {"workloads", workload_texts},
            {"mapping_objective", to_string(spec_.mapping_objective)}};
  }

  // Points the journal has are taken from it; the others become tasks.
  void take_journalled(std::vector<nlohmann::json>& tasks, std::vector<size_t>& task_point) {
    for (size_t i = 0; i < n_; ++i) {
      if (const nlohmann::json* r = journal_.find(plan_.points[i].key)) {
        record_outcome(i, outcome_of(*r));
        ++from_journal_;
        failed_ += outcomes_[i].ok ? 0 : 1;
        continue;
      }
      tasks.push_back({{"arch", plan_.points[i].arch},
                       {"arch_file", spec_.arch_file},
                       {"workloads", spec_.workloads},
                       {"mapping_objective", to_string(spec_.mapping_objective)}});
      task_point.push_back(i);
    }
  }

  void record_outcome(size_t i, Outcome o) {
    outcomes_[i] = std::move(o), have_[i] = true, ++done_;
    if (outcomes_[i].ok && (best_edp_ == 0 || outcomes_[i].edp_uJ_ms < best_edp_))
      best_edp_ = outcomes_[i].edp_uJ_ms;
  }

  void finish(size_t i, const TaskResult& r) {
    const SweepPoint& pt = plan_.points[i];
    const ArchArea area = arch_area(read_arch(JsonField::from(pt.arch, spec_.arch_file)));
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
      ++failed_;
    }
    // A configuration whose process died (killed, out of memory) is reported but not journalled, so that
    // --resume runs it again; one the model refused (an error it raised) is final.
    if (r.crashed) {
      ++crashed_;
    } else {
      const InterruptNotice::Hold together;
      journal_.append(record);
      ++appended_;
      interrupt_.say(kept_in_journal());
    }
    record_outcome(i, outcome_of(record));
    progress();
  }

  // What the interrupt notice says: how much the journal keeps and how to go on.
  std::string kept_in_journal() const {
    return kept_in_journal_line(journal_.resumed() + appended_, "configurations", out_);
  }

  void progress() {
    const double el = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0_).count();
    const size_t ran = done_ - from_journal_;
    progress_.update(
        fmt::format("{}: {:>5}/{} configurations ({} from the journal, {} failed), best EDP {}, {:.0f} s, "
                    "~{:.0f} s left",
                    spec_.name, done_, n_, from_journal_, failed_,
                    best_edp_ > 0 ? fmt::format("{:.4g} uJ*ms", best_edp_) : "-", el,
                    ran ? el / double(ran) * double(n_ - done_) : 0.0));
  }

  // The Pareto front over the objectives, among the configurations that ran. Nothing ran: one line saying
  // why (the journal keeps the failures) instead of empty results.
  void find_front() {
    std::vector<std::vector<double>> objs;
    for (size_t i = 0; i < n_; ++i) {
      if (!outcomes_[i].ok) continue;
      ok_.push_back(i);
      std::vector<double> v;
      for (SweepObjective o : spec_.objectives) v.push_back(outcomes_[i].objective(o));
      objs.push_back(v);
    }
    if (ok_.empty()) {
      const size_t i = size_t(std::find_if(outcomes_.begin(), outcomes_.end(),
                                           [](const Outcome& o) { return o.record.contains("error"); }) -
                              outcomes_.begin());
      throw InputError(spec_.file, "",
                       fmt::format("none of the {} configurations could run the workloads; point {} ({}): {}",
                                   n_, i, describe_point(spec_, plan_.points[i]),
                                   outcomes_[i].record.at("error").get<std::string>()));
    }
    on_front_.assign(n_, false);
    for (size_t k : non_dominated(objs)) on_front_[ok_[k]] = true;
  }

  size_t front_size() const { return size_t(std::count(on_front_.begin(), on_front_.end(), true)); }

  std::string csv_header() const {
    std::string head = "point";
    for (const SweepParameter& p : spec_.parameters) head += "," + csv_value(p.name);
    head += ",area_mm2,latency_ms,energy_uJ,edp_uJ_ms,utilization";
    for (const std::string& w : wnames_)
      head += fmt::format(",{0}.cycles,{0}.latency_ms,{0}.energy_uJ,{0}.edp_uJ_ms,{0}.utilization", w);
    return head + ",pareto,error\n";
  }

  std::string csv_row(size_t i) const {
    const Outcome& o = outcomes_[i];
    std::string row = std::to_string(i);
    for (size_t k = 0; k < spec_.parameters.size(); ++k)
      row += "," + csv_value(spec_.parameters[k].values[plan_.points[i].choice[k]]);
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
      row += std::string(4 + 5 * wnames_.size(), ',');
    }
    return row + fmt::format(",{},{}\n", on_front_[i] ? 1 : 0, o.ok ? "" : csv_value(o.record.at("error")));
  }

  // points.csv, front.csv, points.json.
  void write_points() const {
    std::string csv = csv_header(), front_csv = csv;
    nlohmann::json points = nlohmann::json::array();
    for (size_t i = 0; i < n_; ++i) {
      const Outcome& o = outcomes_[i];
      const std::string row = csv_row(i);
      csv += row;
      if (on_front_[i]) front_csv += row;
      nlohmann::json p = o.record;
      p.erase("key");
      p["point"] = i;
      p["pareto"] = bool(on_front_[i]);
      if (o.ok) {
        p["latency_ms"] = o.latency_ms, p["energy_uJ"] = o.energy_uJ, p["edp_uJ_ms"] = o.edp_uJ_ms;
        p["utilization"] = o.utilization;
      }
      points.push_back(p);
    }
    write_files_whole(
        {{out_ + "/points.csv", csv},
         {out_ + "/front.csv", front_csv},
         {out_ + "/points.json", nlohmann::json{{"format", "cosim-sweep-points/1"},
                                                {"sweep", spec_.name},
                                                {"spec", spec_.file},
                                                {"arch", spec_.arch_file},
                                                {"workloads", spec_.workloads},
                                                {"objectives", objective_names()},
                                                {"mapping_objective", to_string(spec_.mapping_objective)},
                                                {"area_budget_mm2", spec_.area_budget_mm2},
                                                {"grid_size", plan_.grid_size},
                                                {"over_area_budget", plan_.over_budget},
                                                {"points", points}}
                                         .dump(2) +
                                     "\n"}});
  }

  nlohmann::json objective_names() const {
    nlohmann::json objectives = nlohmann::json::array();
    for (SweepObjective o : spec_.objectives) objectives.push_back(to_string(o));
    return objectives;
  }

  // Each front configuration as an architecture file, for `cosim run WORKLOAD --arch front/point_N.json`.
  void write_front_archs() const {
    fs::create_directories(out_ + "/front");
    for (size_t i = 0; i < n_; ++i) {
      if (!on_front_[i]) continue;
      nlohmann::json a = with_portable_technology(plan_.points[i].arch, spec_.arch_file);
      a["name"] = fmt::format("{}-point-{}", spec_.name, i);
      write_file_whole(fmt::format("{}/front/point_{}.json", out_, i), a.dump(2) + "\n");
    }
  }

  // The front's energy by kind (summed over the workloads), for the stacked bars.
  void write_front_energy() const {
    std::string bars = "point";
    for (const char* k : kEnergyKinds) bars += std::string(" ") + k;
    bars += "\n";
    for (size_t i = 0; i < n_; ++i) {
      if (!on_front_[i]) continue;
      bars += std::to_string(i);
      for (const char* k : kEnergyKinds) {
        double e = 0;
        for (const auto& w : outcomes_[i].record.at("workloads"))
          e += w.at("energy_uJ_by_kind").at(k).get<double>();
        bars += fmt::format(" {:.3f}", e);
      }
      bars += "\n";
    }
    write_file_whole(out_ + "/front_energy.dat", bars);
  }

  // How many different (latency, energy) pairs the configurations that ran have: fewer than configurations
  // means some coincide on the plot.
  size_t distinct_latency_energy() const {
    std::set<std::pair<double, double>> seen;
    for (const Outcome& o : outcomes_) {
      if (o.ok) seen.insert({o.latency_ms, o.energy_uJ});
    }
    return seen.size();
  }

  // The energy-latency plot's title: what is drawn, what coincides, and what the 2-D view leaves out.
  std::string energy_latency_title() const {
    const size_t ran =
        size_t(std::count_if(outcomes_.begin(), outcomes_.end(), [](const Outcome& o) { return o.ok; }));
    std::string title =
        fmt::format("{}: energy vs latency over {}, {} configurations, {} on the Pareto front", spec_.name,
                    fmt::join(wnames_, " + "), ran, front_size());
    const size_t distinct = distinct_latency_energy();
    if (distinct < ran)
      title += fmt::format("\nthey fall on {} distinct (latency, energy) points: some are drawn over others",
                           distinct);
    const nlohmann::json objectives = objective_names();
    if (objectives.size() > 2 || objectives.dump().find("edp") != std::string::npos)
      title += fmt::format("\nthe front is over {}: a member can look dominated in this 2-D view",
                           fmt::join(objectives.get<std::vector<std::string>>(), ", "));
    return title;
  }

  // Plots: energy vs latency coloured by area, the front circled and numbered; the front's energy by kind.
  // plots.gp names its files relative to its own folder.
  void write_plots() const {
    write_front_energy();
    const size_t P = spec_.parameters.size();
    const size_t c_area = P + 2, c_lat = P + 3, c_energy = P + 4, c_pareto = P + 7 + 5 * wnames_.size();
    const std::string gp = fmt::format(
        "set terminal pngcairo size 1200,800 noenhanced\n"
        "set datafile separator ','\n"
        "set output 'energy_latency.png'\n"
        "set title {0}\n"
        "set xlabel 'latency (ms, log scale)'\nset ylabel 'energy (uJ)'\nset cblabel 'area (mm2)'\n"
        "set logscale x\nset xtics (0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 20, 50, 100, 200, 500, "
        "1000, 2000, 5000)\n"
        "set autoscale xfix\nset offsets graph 0.04, graph 0.04, graph 0.04, graph 0.04\n"
        "set palette rgbformulae 33,13,10\nset key top left\nset grid\n"
        "plot 'points.csv' every ::1 using {1}:{2}:{3} with points pt 7 ps 0.9 palette title "
        "'configuration', "
        "'' every ::1 using (${4} == 1 ? ${1} : NaN):{2} with points pt 6 ps 1.8 lw 1.5 lc rgb 'black' "
        "title 'Pareto front (labelled with its point number)', "
        // Every other front member labelled to the right of its point, the others to the left.
        "k = 0, '' every ::1 using (${4} == 1 && (k = k + 1) % 2 == 0 ? ${1} : NaN):{2}:(sprintf('%d', $1)) "
        "with labels left offset 1.1,0.3 font ',8' notitle, "
        "k = 0, '' every ::1 using (${4} == 1 && (k = k + 1) % 2 == 1 ? ${1} : NaN):{2}:(sprintf('%d', $1)) "
        "with labels right offset -1.1,-0.3 font ',8' notitle\n"
        "unset logscale x\nset xtics autofreq\nset offsets 0, 0, 0, 0\nset autoscale x\n"
        "set output 'front_energy.png'\n"
        "set datafile separator whitespace\n"
        "set title {5}\n"
        "set style data histograms\nset style histogram rowstacked\nset style fill solid 0.8 border -1\n"
        "set boxwidth 0.75\nset key outside right\nset xlabel 'point'\nset ylabel 'energy (uJ)'\nunset "
        "cblabel\n"
        "set linetype 2 lc rgb '#4e79a7'\nset linetype 3 lc rgb '#59a14f'\nset linetype 4 lc rgb '#edc948'\n"
        "set linetype 5 lc rgb '#e15759'\nset linetype 6 lc rgb '#bab0ac'\nset linetype 7 lc rgb '#76b7b2'\n"
        "plot for [k=2:7] 'front_energy.dat' using k:xtic(1) title columnheader(k) lt k\n",
        gnuplot_quoted(energy_latency_title()), c_lat, c_energy, c_area, c_pareto,
        gnuplot_quoted(spec_.name + ": energy of the Pareto-front configurations by kind (all workloads)"));
    draw_with_gnuplot(out_, "plots", gp);
  }

  // Summary: the best configuration for each figure, and the front.
  std::string summary_text(size_t tasks) const {
    std::string summary =
        fmt::format("sweep {}: {} configurations over {} ({} ran now, {} from the journal, {} failed",
                    spec_.name, n_, fmt::join(wnames_, ", "), n_ - from_journal_, from_journal_, failed_);
    if (plan_.over_budget) {
      summary += fmt::format("; {} more exceed the area budget of {} mm2 and were not run", plan_.over_budget,
                             spec_.area_budget_mm2);
    }
    summary += ")\n";
    if (crashed_)
      summary += fmt::format(
          "{} configurations failed because their process died; --resume runs them again\n", crashed_);
    if (world_.size() > 1) {
      summary += fmt::format("MPI: {} ranks ran {} configurations ({} each)\n", world_.size(), tasks,
                             fmt::join(dispatch_.tasks_by_rank(), ", "));
    }
    summary +=
        fmt::format("Pareto front over {}: {} configurations (marked in points.csv, listed in front.csv)\n",
                    fmt::join(objective_names(), ", "), front_size());
    for (SweepObjective o :
         {SweepObjective::Latency, SweepObjective::Energy, SweepObjective::Edp, SweepObjective::Area}) {
      size_t best = n_;
      for (size_t i : ok_) {
        if (best == n_ || outcomes_[i].objective(o) < outcomes_[best].objective(o)) best = i;
      }
      if (best == n_) continue;
      const Outcome& b = outcomes_[best];
      summary += fmt::format(
          "best {:<7} point {:>4}: latency {:.3f} ms, energy {:.1f} uJ, EDP {:.4g} uJ*ms, area {:.3f} mm2 | "
          "{}\n",
          std::string(to_string(o)) + ":", best, b.latency_ms, b.energy_uJ, b.edp_uJ_ms, b.area_mm2,
          describe_point(spec_, plan_.points[best]));
    }
    for (size_t i = 0; failed_ && i < n_; ++i) {
      if (outcomes_[i].ok) continue;
      summary += fmt::format("failed: point {} ({}): {}\n", i, describe_point(spec_, plan_.points[i]),
                             outcomes_[i].record.at("error").get<std::string>());
      break;
    }
    return summary + fmt::format(
                         "results in {}/: points.csv, points.json, front.csv, energy_latency.png, "
                         "front_energy.png, front/point_N.json (architectures), summary.txt, journal.jsonl\n",
                         out_);
  }

  const SweepConfig& c_;
  const SweepSpec& spec_;
  const SweepPlan& plan_;
  TaskDispatcher& dispatch_;
  const MpiWorld& world_;
  const std::chrono::steady_clock::time_point t0_ = std::chrono::steady_clock::now();
  size_t n_;
  std::string out_;
  OutputLock lock_;
  Journal journal_;
  InterruptNotice interrupt_;
  ProgressLine progress_{!c_.quiet};
  size_t appended_ = 0;  // journal records written by this run
  std::vector<Outcome> outcomes_;
  std::vector<bool> have_, on_front_;
  std::vector<size_t> ok_;  // configurations that ran
  std::vector<std::string> wnames_;
  size_t from_journal_ = 0, failed_ = 0, crashed_ = 0, done_ = 0;
  double best_edp_ = 0;  // of the finished configurations
};

}  // namespace

std::string run_sweep(const SweepConfig& c, std::string& summary) {
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
  return SweepRun(c, spec, plan, dispatch, world).run(summary);
}

}  // namespace cosim
