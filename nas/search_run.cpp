#include "nas/search_run.hpp"

#include <array>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <thread>

#include <fmt/format.h>

#include "flow/model_version.hpp"
#include "model/area_model.hpp"
#include "nas/accuracy.hpp"
#include "nas/evaluation.hpp"
#include "nas/strategy.hpp"
#include "results/csv.hpp"
#include "results/gnuplot.hpp"
#include "results/journal.hpp"
#include "results/progress.hpp"
#include "spec/input_error.hpp"
#include "spec/json_reader.hpp"

namespace cosim {

namespace {

struct Record {
  Candidate candidate;
  std::string encoding;
  nlohmann::json data;  // the journal record
  Scored scored;
};

double hw_value(const nlohmann::json& m, const std::string& which) {
  return which == "energy"    ? m.at("energy_uJ").get<double>()
         : which == "latency" ? m.at("latency_ms").get<double>()
                              : m.at("edp_uJ_ms").get<double>();
}

// Each candidate's layers are mapped for the search's own hardware objective (docs/search.md).
Objective mapping_objective(const std::string& hardware) {
  return objective_from_string(hardware);
}

// Each operator's share of a candidate's simulated PE operations (kOpTypes' order): where the front trades
// multipliers for shifts and adders.
std::array<double, 3> mac_shares(const nlohmann::json& metrics) {
  const std::array<uint64_t, 3> macs = hardware_metrics_from(metrics).macs_by_op;
  const double total = double(macs[0]) + double(macs[1]) + double(macs[2]);
  std::array<double, 3> share{};
  for (size_t i = 0; i < share.size(); ++i) share[i] = total > 0 ? double(macs[i]) / total : 0;
  return share;
}

const char* hw_unit(const std::string& which) {
  return which == "energy" ? "uJ" : which == "latency" ? "ms" : "uJ*ms";
}

// One search: the proposals of the strategy, their evaluations (cached, journalled, on the worker pool),
// the archive, and the outputs written at the end.
class SearchRun {
 public:
  SearchRun(const SearchConfig& c, std::unique_ptr<SearchSpace> space, ArchSpec arch, EvaluatorPool& pool)
      : c_(c),
        space_(std::move(space)),
        arch_(std::move(arch)),
        estimator_(make_estimator(c.estimator, c.estimator_timeout_s, c.more_estimators)),
        strategy_(make_strategy(c.strategy, *space_, c.seed, c.population)),
        pool_(pool),
        out_(output_dir()),
        lock_(out_, "search"),
        journal_(out_ + "/journal.jsonl", journal_header(), c.resume, "search", "encoding") {
    ref_ = {c.hardware == "energy"    ? space_->reference.energy_uJ
            : c.hardware == "latency" ? space_->reference.latency_ms
                                      : space_->reference.edp_uJ_ms,
            -(estimator_->kind() == "proxy" ? space_->reference.accuracy_proxy : space_->reference.accuracy)};
    interrupt_.say(kept_in_journal());
  }

  std::string run() {
    while (evaluations_ < size_t(c_.budget)) {
      const std::vector<Candidate> batch = strategy_->propose(size_t(c_.budget) - evaluations_);
      if (batch.empty()) break;
      run_batch(batch);
      report_progress();
    }
    progress_.finish();
    const auto ran =
        std::count_if(all_.begin(), all_.end(), [](const Record& r) { return !r.data.contains("error"); });
    if (!all_.empty() && ran == 0) {
      throw InputError(
          arch_.file, "",
          "none of the " + std::to_string(all_.size()) +
              " candidates evaluated could run on this accelerator, so there is no front (the "
              "journal keeps them); first: " +
              (first_error_.empty() ? all_.front().data.at("error").get<std::string>() : first_error_));
    }
    if (failed_) {
      std::cerr << "cosim: warning: " << failed_
                << " candidates could not run on the accelerator and count as infeasible; "
                << "first: " << first_error_ << "\n";
    }
    // Every table and front file written together, each whole, or none (a full disk leaves no partial set).
    std::vector<std::pair<std::string, std::string>> files;
    measure_test_accuracy();
    write_front(files);
    write_tables(files);
    write_files_whole(files);
    write_plots();
    return out_;
  }

 private:
  // Without --out: a fresh directory named after the search (a second run does not overwrite the first).
  std::string output_dir() const {
    namespace fs = std::filesystem;
    std::string out = c_.out;
    if (out.empty()) {
      const std::string base =
          fmt::format("search-out/{}-{}-{}-seed{}", space_->name, c_.hardware, c_.strategy, c_.seed);
      out = base;
      for (int k = 2; fs::exists(out) && !c_.resume; ++k) out = base + "-" + std::to_string(k);
    }
    if (c_.resume) check_resumable(out, "search");
    make_output_folder(out);
    return out;
  }

  nlohmann::json journal_header() const {
    nlohmann::json h = {
        {"journal", "cosim-search/1"},
        {"version", model_version()},
        {"space", space_->name},
        {"space_file", file_text(space_->file)},
        {"arch_file", file_text(arch_.file)},
        {"technology_file", file_text(arch_.technology_file)},
        {"strategy", c_.strategy},
        {"population", c_.population},
        {"seed", c_.seed},
        {"budget", c_.budget},
        {"hardware", c_.hardware},
        {"estimator", c_.estimator},
        // A table's contents, not only its name: an edited table is another run.
        {"estimator_table",
         c_.estimator.rfind("table:", 0) == 0 ? file_text(c_.estimator.substr(6)) : std::string()},
        {"limits", {c_.max_latency_ms, c_.max_energy_uJ, c_.max_edp, c_.min_accuracy}}};
    // A checkpoint's contents (supernet:FILE): another training is another run.
    if (const std::string id = estimator_->identity(); !id.empty()) h["estimator_identity"] = id;
    return h;
  }

  void score(Record& r) const {
    const nlohmann::json& d = r.data;
    r.scored.candidate = r.candidate;
    if (d.contains("error")) {
      r.scored.objectives = {ref_[0] * 10, 0};
      r.scored.violation = 1e9;
      return;
    }
    const nlohmann::json& m = d.at("metrics");
    const double acc = d.at("accuracy").get<double>();
    r.scored.objectives = {hw_value(m, c_.hardware), -acc};
    double v = 0;
    auto over = [&](double x, double limit) { return limit > 0 && x > limit ? (x - limit) / limit : 0.0; };
    v += over(m.at("latency_ms").get<double>(), c_.max_latency_ms);
    v += over(m.at("energy_uJ").get<double>(), c_.max_energy_uJ);
    v += over(m.at("edp_uJ_ms").get<double>(), c_.max_edp);
    if (acc < c_.min_accuracy) v += (c_.min_accuracy - acc) / std::max(1e-9, std::fabs(c_.min_accuracy));
    r.scored.violation = v;
  }

  // Fills each record from the archive or the journal where it can; returns the indices of those left to
  // evaluate, with their workloads in `to_run`.
  std::vector<size_t> lookup(std::vector<Record>& recs, std::vector<nlohmann::json>& to_run) {
    std::vector<size_t> run_index;
    for (size_t i = 0; i < recs.size(); ++i) {
      if (auto it = seen_.find(recs[i].encoding); it != seen_.end()) {
        recs[i].data = all_[it->second].data;
        ++cache_hits_;
      } else if (const nlohmann::json* j = journal_.find(recs[i].encoding)) {
        recs[i].data = *j;
        ++from_journal_;
      } else if (std::find_if(run_index.begin(), run_index.end(), [&](size_t k) {
                   return recs[k].encoding == recs[i].encoding;
                 }) != run_index.end()) {
        ++cache_hits_;  // proposed twice in one batch: filled in below
      } else {
        to_run.push_back(space_->workload(recs[i].candidate, "cand_" + std::to_string(all_.size() + i)));
        run_index.push_back(i);
      }
    }
    return run_index;
  }

  void run_batch(const std::vector<Candidate>& batch) {
    std::vector<Record> recs(batch.size());
    for (size_t i = 0; i < batch.size(); ++i)
      recs[i].candidate = batch[i], recs[i].encoding = space_->encode(batch[i]);
    std::vector<nlohmann::json> to_run;
    const std::vector<size_t> run_index = lookup(recs, to_run);
    std::vector<std::string> errors;
    std::vector<HardwareMetrics> metrics;
    // A batched estimator answers the whole generation while the workers simulate it; the others answer
    // per candidate below, each journalled as it comes.
    std::vector<double> batch_accuracy;
    if (estimator_->batched()) {
      std::vector<Candidate> cands;
      for (size_t i : run_index) cands.push_back(recs[i].candidate);
      batch_accuracy = estimator_->estimate_batch(*space_, cands, to_run,
                                                  [&] { metrics = pool_.evaluate(to_run, errors); });
    } else {
      metrics = pool_.evaluate(to_run, errors);
    }
    for (size_t k = 0; k < run_index.size(); ++k) {
      Record& r = recs[run_index[k]];
      nlohmann::json d = {{"encoding", r.encoding}, {"genes", space_->describe(r.candidate)}};
      if (!errors[k].empty()) {
        d["error"] = errors[k];
        if (first_error_.empty()) first_error_ = r.encoding + ": " + errors[k];
        ++failed_;
      } else {
        const Network net = read_network(JsonField::from(to_run[k], to_run[k]["name"].get<std::string>()));
        d["metrics"] = to_json(metrics[k]);
        d["accuracy"] = estimator_->batched() ? batch_accuracy[k]
                                              : estimator_->estimate(*space_, r.candidate, to_run[k], net);
      }
      {
        const InterruptNotice::Hold together;
        journal_.append(d);
        ++appended_;
        interrupt_.say(kept_in_journal());
      }
      r.data = d;
    }
    std::vector<Scored> scored;
    for (Record& r : recs) {
      if (r.data.is_null())
        r.data = journal_.find(r.encoding) ? *journal_.find(r.encoding) : nlohmann::json{};
      score(r);
      scored.push_back(r.scored);
      if (!seen_.count(r.encoding)) seen_[r.encoding] = all_.size(), all_.push_back(r);
      ++evaluations_;
    }
    strategy_->observe(scored);
    ++generation_;
    const std::vector<Scored> a = archive();
    hv_log_.push_back(
        {double(generation_), double(evaluations_), hypervolume(a, ref_), double(pareto_front(a).size())});
  }

  std::vector<Scored> archive() const {
    std::vector<Scored> a;
    for (const Record& r : all_) a.push_back(r.scored);
    return a;
  }

  // What the interrupt notice says: how much the journal keeps and how to go on.
  std::string kept_in_journal() const {
    return kept_in_journal_line(journal_.resumed() + appended_, "evaluations", out_);
  }

  void report_progress() {
    const double el = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0_).count();
    double best = 0;
    bool any = false;
    for (const Scored& s : archive()) {
      if (s.violation == 0 && (!any || s.objectives[0] < best)) best = s.objectives[0], any = true;
    }
    progress_.update(
        fmt::format("generation {:>3}: {:>5}/{} evaluations, {} cache hits, {} from the journal, best "
                    "{} {} {}, hypervolume {:.4g}, {:.0f} s, ~{:.0f} s left",
                    generation_, evaluations_, c_.budget, cache_hits_, from_journal_, c_.hardware,
                    any ? fmt::format("{:.4g}", best) : "-", hw_unit(c_.hardware), hv_log_.back()[2], el,
                    el / double(evaluations_) * double(size_t(c_.budget) - evaluations_)));
  }

  std::string accuracy_column() const {
    return estimator_->kind() == "proxy" ? "accuracy_proxy" : "accuracy";
  }

  // The front's members in order of the hardware objective (indices into all_).
  std::vector<size_t> front_members() const {
    const std::vector<Scored> a = archive();
    std::vector<size_t> front = pareto_front(a);
    std::sort(front.begin(), front.end(),
              [&](size_t x, size_t y) { return a[x].objectives[0] < a[y].objectives[0]; });
    return front;
  }

  // The front's accuracy on the test set, measured once per member by an estimator that has a test set
  // (supernet; never seen by the search) and journalled with the member's record: a resumed search, or one
  // killed while measuring, keeps every member measured (each takes seconds to a minute).
  void measure_test_accuracy() {
    for (size_t i : front_members()) {
      Record& r = all_[i];
      if (r.data.contains("test_accuracy")) continue;
      const std::vector<double> test = estimator_->test_accuracy(*space_, {r.candidate});
      if (test.empty()) return;  // an estimator without a test set
      r.data["test_accuracy"] = test[0];
      const InterruptNotice::Hold together;
      journal_.append(r.data);
    }
  }

  // front.csv, front.json and one workload file per member, in order of the hardware objective.
  void write_front(std::vector<std::pair<std::string, std::string>>& files) const {
    const std::vector<size_t> front = front_members();
    std::filesystem::create_directories(out_ + "/front");
    const std::string acc_name = accuracy_column();
    std::vector<double> test;
    for (size_t i : front)
      if (all_[i].data.contains("test_accuracy")) test.push_back(all_[i].data["test_accuracy"].get<double>());
    if (test.size() != front.size()) test.clear();
    std::vector<std::string> header = {"rank", "encoding", "workload", acc_name};
    if (!test.empty()) header.push_back("test_accuracy");
    for (const char* h : {"energy_uJ", "latency_ms", "edp_uJ_ms", "cycles", "genes"}) header.push_back(h);
    for (OpType op : kOpTypes) header.push_back(fmt::format("{}_mac_share", to_string(op)));
    std::string csv = csv_line(header);
    // The accelerator is fixed during a search, so its area is one figure for every candidate.
    nlohmann::json fj = {{"format", "cosim-search-front/1"},
                         {"space", space_->name},
                         {"mapping_objective", to_string(mapping_objective(c_.hardware))},
                         {"arch", arch_.file},
                         {"area_mm2", arch_area(arch_).total_mm2()},
                         {"hardware_objective", c_.hardware},
                         {"accuracy_estimator", estimator_->label()},
                         {"reference_point", {{c_.hardware, ref_[0]}, {"accuracy", -ref_[1]}}},
                         {"notes", space_->notes},
                         {"members", nlohmann::json::array()}};
    for (size_t k = 0; k < front.size(); ++k) {
      const Record& r = all_[front[k]];
      const std::string wname = fmt::format("front_{:02d}", k);
      files.emplace_back(out_ + "/front/" + wname + ".json",
                         space_->workload(r.candidate, wname).dump(2) + "\n");
      const nlohmann::json& m = r.data.at("metrics");
      const std::array<double, 3> shares = mac_shares(m);
      std::vector<std::string> row = {std::to_string(k), r.encoding, "front/" + wname + ".json",
                                      fmt::format("{:.6g}", r.data.at("accuracy").get<double>())};
      if (!test.empty()) row.push_back(fmt::format("{:.6g}", test[k]));
      for (const char* f : {"energy_uJ", "latency_ms", "edp_uJ_ms"})
        row.push_back(fmt::format("{:.6f}", m.at(f).get<double>()));
      row.push_back(std::to_string(m.at("cycles").get<uint64_t>()));
      row.push_back(r.data.at("genes").get<std::string>());
      nlohmann::json share_by_op = nlohmann::json::object();
      for (OpType op : kOpTypes) {
        row.push_back(fmt::format("{:.4f}", shares[size_t(op)]));
        share_by_op[to_string(op)] = shares[size_t(op)];
      }
      csv += csv_line(row);
      nlohmann::json member = {{"encoding", r.encoding},          {"workload", "front/" + wname + ".json"},
                               {acc_name, r.data.at("accuracy")}, {"metrics", m},
                               {"genes", r.data.at("genes")},     {"mac_share", share_by_op}};
      if (!test.empty()) member["test_accuracy"] = test[k];
      fj["members"].push_back(member);
    }
    files.emplace_back(out_ + "/front.csv", csv);
    files.emplace_back(out_ + "/front.json", fj.dump(2) + "\n");
  }

  // hypervolume.csv and evaluations.csv.
  void write_tables(std::vector<std::pair<std::string, std::string>>& files) const {
    std::string hv_csv = "generation,evaluations,hypervolume,front_size\n";
    for (const auto& h : hv_log_) hv_csv += fmt::format("{},{},{:.9g},{}\n", h[0], h[1], h[2], h[3]);
    files.emplace_back(out_ + "/hypervolume.csv", hv_csv);
    std::string ev = csv_line(
        {"encoding", accuracy_column(), "energy_uJ", "latency_ms", "edp_uJ_ms", "feasible", "error"});
    for (const Record& r : all_) {
      if (r.data.contains("error")) {  // could not run on the accelerator: no figures, infeasible
        ev += csv_line({r.encoding, "", "", "", "", "0", r.data.at("error").get<std::string>()});
        continue;
      }
      const nlohmann::json& m = r.data.at("metrics");
      ev += csv_line({r.encoding, fmt::format("{:.6g}", r.data.at("accuracy").get<double>()),
                      fmt::format("{:.6f}", m.at("energy_uJ").get<double>()),
                      fmt::format("{:.6f}", m.at("latency_ms").get<double>()),
                      fmt::format("{:.6f}", m.at("edp_uJ_ms").get<double>()),
                      r.scored.violation == 0 ? "1" : "0", ""});
    }
    files.emplace_back(out_ + "/evaluations.csv", ev);
  }

  // Gnuplot lines that draw the search's constraints: a dashed line where a limit is on a plotted axis,
  // and a line of text naming the limits on figures that are not plotted.
  std::string constraint_lines() const {
    std::string gp, others;
    const std::pair<const char*, double> limits[] = {
        {"energy", c_.max_energy_uJ}, {"latency", c_.max_latency_ms}, {"edp", c_.max_edp}};
    for (const auto& [figure, limit] : limits) {
      if (limit <= 0) continue;
      const std::string text = fmt::format("{} <= {:g} {}", figure, limit, hw_unit(figure));
      if (figure == c_.hardware) {
        gp += fmt::format(
            "set arrow from {0:g}, graph 0 to {0:g}, graph 1 nohead dt 2 lw 1.5 lc rgb '#1f77b4'\n"
            "set label {1} at {0:g}, graph 0.97 right offset -0.5,0 tc rgb '#1f77b4'\n",
            limit, gnuplot_quoted("limit: " + text));
      } else {
        others += (others.empty() ? "" : ", ") + text;
      }
    }
    if (c_.min_accuracy > -1e299) {
      gp += fmt::format(
          "set arrow from graph 0, first {0:g} to graph 1, first {0:g} nohead dt 2 lw 1.5 lc rgb "
          "'#1f77b4'\nset label {1} at graph 0.99, first {0:g} right offset 0,0.7 tc rgb '#1f77b4'\n",
          c_.min_accuracy, gnuplot_quoted(fmt::format("limit: accuracy >= {:g}", c_.min_accuracy)));
    }
    if (!others.empty())
      gp += "set label " + gnuplot_quoted("also limited: " + others) + " at graph 0.01, graph 0.03\n";
    return gp;
  }

  // front.png (every evaluation, those that break a constraint apart, the front, the limits) and
  // hypervolume.png; plots.gp names its files relative to its own folder.
  void write_plots() const {
    const int hw_column = c_.hardware == "energy" ? 3 : c_.hardware == "latency" ? 4 : 5;
    std::string title = fmt::format("Pareto front of {}: {} vs {}\naccuracy estimate: {}", space_->name,
                                    accuracy_column(), c_.hardware, estimator_->label());
    const std::vector<Scored> a = archive();
    if (std::none_of(a.begin(), a.end(), [](const Scored& s) { return s.violation == 0; }))
      title += "\nno candidate meets every constraint, so the front is empty";
    std::string gp = fmt::format(
        "set terminal pngcairo size 1000,650 noenhanced\nset datafile separator ','\nset key bottom right\n"
        "set grid\nset output 'front.png'\nset title {0}\nset xlabel {1}\nset ylabel {2}\n",
        gnuplot_quoted(title), gnuplot_quoted(fmt::format("{} ({})", c_.hardware, hw_unit(c_.hardware))),
        gnuplot_quoted(accuracy_column()));
    gp += constraint_lines();
    gp += fmt::format(
        "plot 'evaluations.csv' every ::1 using ($6 == 1 ? ${0} : NaN):2 with points pt 7 ps 0.6 "
        "lc rgb '#999999' title 'evaluated', "
        "'' every ::1 using ($6 == 0 ? ${0} : NaN):2 with points pt 2 ps 0.8 lc rgb '#ff7f0e' "
        "title 'breaks a constraint', "
        "'front.csv' every ::1 using {1}:4 with linespoints pt 7 lc rgb '#cc0000' title 'Pareto front'\n",
        hw_column, hw_column + 2);
    gp += fmt::format(
        "unset arrow\nunset label\nset key bottom right\nset output 'hypervolume.png'\n"
        "set title {0}\nset xlabel 'evaluations'\nset ylabel 'hypervolume'\n"
        "plot 'hypervolume.csv' every ::1 using 2:3 with linespoints pt 7 title {1}\n",
        gnuplot_quoted(fmt::format(
            "Hypervolume of the front of {} ({}); reference point: {} {:g} {}, {} {:g}", space_->name,
            c_.strategy, c_.hardware, ref_[0], hw_unit(c_.hardware), accuracy_column(), -ref_[1])),
        gnuplot_quoted(c_.strategy));
    draw_with_gnuplot(out_, "plots", gp);
  }

  const SearchConfig& c_;
  const std::chrono::steady_clock::time_point t0_ = std::chrono::steady_clock::now();
  std::unique_ptr<SearchSpace> space_;
  ArchSpec arch_;
  std::unique_ptr<AccuracyEstimator> estimator_;
  std::unique_ptr<Strategy> strategy_;
  EvaluatorPool& pool_;
  std::string out_;
  OutputLock lock_;
  Journal journal_;
  InterruptNotice interrupt_;
  ProgressLine progress_{!c_.quiet};
  size_t appended_ = 0;  // journal records written by this run
  std::array<double, 2> ref_{};
  std::vector<Record> all_;
  std::map<std::string, size_t> seen_;         // encoding -> index in all_
  std::vector<std::array<double, 4>> hv_log_;  // generation, evaluations, hypervolume, front size
  size_t evaluations_ = 0, cache_hits_ = 0, from_journal_ = 0, failed_ = 0;
  std::string first_error_;
  int generation_ = 0;
};

}  // namespace

std::string run_search(const SearchConfig& c) {
  std::unique_ptr<SearchSpace> space = read_space(c.space, c.data_dir);
  ArchSpec arch = read_arch(c.arch);
  space->fit_to(arch);
  for (const std::string& note : space->notes) std::cerr << "cosim: note: " << note << "\n";
  // Checked before the workers start, so a bad estimator or strategy is one line at once.
  make_estimator(c.estimator, c.estimator_timeout_s, c.more_estimators);
  make_strategy(c.strategy, *space, c.seed, c.population);
  // Workers first (before MPI starts and before anything elaborates); under mpirun the other ranks only
  // evaluate what rank 0 sends them.
  EvaluatorPool pool(arch, mapping_objective(c.hardware), c.jobs > 0 ? c.jobs : default_worker_count());
  if (pool.rank() > 0) {
    pool.serve();
    return "";
  }
  return SearchRun(c, std::move(space), std::move(arch), pool).run();
}

}  // namespace cosim
