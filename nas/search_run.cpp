#include "nas/search_run.hpp"

#include <array>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iostream>
#include <map>
#include <thread>

#include <fmt/format.h>

#include "flow/model_version.hpp"
#include "model/area_model.hpp"
#include "nas/accuracy.hpp"
#include "nas/codesign_space.hpp"
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
  nlohmann::json accelerator;  // co-design: {"arch": parameter -> value, "area_mm2"}
};

// The metric (and front.csv column) of a hardware objective.
const char* hw_metric(const std::string& which) {
  return which == "energy" ? "energy_uJ" : which == "latency" ? "latency_ms" : "edp_uJ_ms";
}

double hw_value(const nlohmann::json& m, const std::string& which) {
  return m.at(hw_metric(which)).get<double>();
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
  // `codesign`: the space when it is a co-design space (it owns it), else null.
  SearchRun(const SearchConfig& c, std::unique_ptr<SearchSpace> space, const CoDesignSpace* codesign,
            ArchSpec arch, EvaluatorPool& pool)
      : c_(c),
        space_(std::move(space)),
        codesign_(codesign),
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
    check_something_ran();
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
  // A search none of whose candidates ran has no front: one line saying why (the journal keeps them).
  void check_something_ran() const {
    auto has = [&](const char* key) {
      return std::find_if(all_.begin(), all_.end(), [&](const Record& r) { return r.data.contains(key); });
    };
    if (all_.empty() || has("metrics") != all_.end()) return;
    if (auto e = has("error"); e != all_.end()) {
      throw InputError(arch_.file, "",
                       "none of the " + std::to_string(all_.size()) +
                           " candidates evaluated could run on this accelerator, so there is no front (the "
                           "journal keeps them); first: " +
                           (first_error_.empty() ? e->data.at("error").get<std::string>() : first_error_));
    }
    double smallest = 0;
    for (const Record& r : all_)
      if (smallest == 0 || r.data.at("area_mm2").get<double>() < smallest) smallest = r.data.at("area_mm2");
    throw InputError(
        "--area-budget", "",
        fmt::format("every one of the {} candidates' accelerators is over the area budget of {:g} "
                    "mm2 (the smallest has {:.3f} mm2), so there is no front",
                    all_.size(), c_.area_budget_mm2, smallest));
  }

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
    if (codesign_) {
      nlohmann::json params = nlohmann::json::object();
      for (const ArchParameter& p : codesign_->parameters()) params[p.name] = p.values;
      h["arch_parameters"] = params;
      h["area_budget_mm2"] = c_.area_budget_mm2;
    }
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
    if (d.contains("over_area_budget")) {  // infeasible by how far its accelerator is over
      r.scored.objectives = {ref_[0] * 10, 0};
      r.scored.violation = (d.at("area_mm2").get<double>() - c_.area_budget_mm2) / c_.area_budget_mm2;
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
        if (j->contains("accuracy"))
          accuracy_of_network_[network_space().encode(network_of(recs[i].candidate))] = j->at("accuracy");
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
    std::vector<nlohmann::json> to_run, archs;
    std::vector<size_t> run_index = lookup(recs, to_run);
    if (codesign_) archs = accelerators_within_budget(recs, run_index, to_run);
    std::vector<std::string> errors;
    std::vector<HardwareMetrics> metrics;
    auto simulate = [&] { metrics = pool_.evaluate(to_run, errors, codesign_ ? &archs : nullptr); };
    // A batched estimator answers the whole generation while the workers simulate it; the others answer
    // per candidate below, each journalled as it comes.
    std::vector<double> batch_accuracy;
    if (estimator_->batched()) {
      batch_accuracy = estimate_batch(recs, run_index, to_run, simulate);
    } else {
      simulate();
    }
    for (size_t k = 0; k < run_index.size(); ++k) {
      Record& r = recs[run_index[k]];
      nlohmann::json d = {{"encoding", r.encoding}, {"genes", space_->describe(r.candidate)}};
      if (codesign_) d.update(r.accelerator);
      if (!errors[k].empty()) {
        d["error"] = errors[k];
        if (first_error_.empty()) first_error_ = r.encoding + ": " + errors[k];
        ++failed_;
      } else {
        const Network net = read_network(JsonField::from(to_run[k], to_run[k]["name"].get<std::string>()));
        d["metrics"] = to_json(metrics[k]);
        d["accuracy"] = estimator_->batched() ? batch_accuracy[k] : accuracy_of(r.candidate, to_run[k], net);
      }
      keep(r, d);
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

  // What the accuracy estimators see: the network space and a candidate's network genes.
  const SearchSpace& network_space() const { return codesign_ ? codesign_->network() : *space_; }
  Candidate network_of(const Candidate& c) const { return codesign_ ? codesign_->network_part(c) : c; }

  // One estimate per network: in a co-design search the same network on another accelerator keeps its own.
  double accuracy_of(const Candidate& c, const nlohmann::json& workload, const Network& net) {
    const Candidate n = network_of(c);
    const std::string key = network_space().encode(n);
    if (auto it = accuracy_of_network_.find(key); it != accuracy_of_network_.end()) return it->second;
    return accuracy_of_network_[key] = estimator_->estimate(network_space(), n, workload, net);
  }

  // A batched estimator gets each network of the batch once, and only those it has not scored before (in a
  // co-design search the same network comes back on other accelerators); it answers while `simulate` runs.
  std::vector<double> estimate_batch(const std::vector<Record>& recs, const std::vector<size_t>& run_index,
                                     const std::vector<nlohmann::json>& to_run,
                                     const std::function<void()>& simulate) {
    std::vector<Candidate> networks;
    std::vector<nlohmann::json> workloads;
    std::vector<std::string> keys;
    for (size_t k = 0; k < run_index.size(); ++k) {
      const Candidate n = network_of(recs[run_index[k]].candidate);
      const std::string key = network_space().encode(n);
      if (accuracy_of_network_.count(key) || std::find(keys.begin(), keys.end(), key) != keys.end()) continue;
      keys.push_back(key), networks.push_back(n), workloads.push_back(to_run[k]);
    }
    if (networks.empty()) {
      simulate();
    } else {
      const std::vector<double> acc =
          estimator_->estimate_batch(network_space(), networks, workloads, simulate);
      for (size_t i = 0; i < keys.size(); ++i) accuracy_of_network_[keys[i]] = acc.at(i);
    }
    std::vector<double> out;
    for (size_t i : run_index)
      out.push_back(accuracy_of_network_.at(network_space().encode(network_of(recs[i].candidate))));
    return out;
  }

  // Journals a record the moment it exists.
  void keep(Record& r, const nlohmann::json& d) {
    {
      const InterruptNotice::Hold together;
      journal_.append(d);
      ++appended_;
      interrupt_.say(kept_in_journal());
    }
    r.data = d;
  }

  // Co-design: each candidate's accelerator document and area. A candidate whose accelerator is over the
  // area budget is journalled as such and not simulated (taken out of run_index and to_run); returns the
  // accelerators of those left, in order.
  std::vector<nlohmann::json> accelerators_within_budget(std::vector<Record>& recs,
                                                         std::vector<size_t>& run_index,
                                                         std::vector<nlohmann::json>& to_run) {
    std::vector<nlohmann::json> archs, kept_runs;
    std::vector<size_t> kept_index;
    for (size_t k = 0; k < run_index.size(); ++k) {
      Record& r = recs[run_index[k]];
      nlohmann::json assignments;
      nlohmann::json doc = codesign_->arch_document(r.candidate, &assignments);
      const double area = arch_area(read_arch(JsonField::from(doc, codesign_->base_arch_file()))).total_mm2();
      r.accelerator = {{"arch", assignments}, {"area_mm2", area}};
      if (c_.area_budget_mm2 > 0 && area > c_.area_budget_mm2) {
        nlohmann::json d = {{"encoding", r.encoding}, {"genes", space_->describe(r.candidate)}};
        d.update(r.accelerator);
        d["over_area_budget"] = c_.area_budget_mm2;
        keep(r, d);
        continue;
      }
      archs.push_back(std::move(doc));
      kept_runs.push_back(std::move(to_run[k]));
      kept_index.push_back(run_index[k]);
    }
    run_index = std::move(kept_index);
    to_run = std::move(kept_runs);
    return archs;
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
      const std::vector<double> test = estimator_->test_accuracy(network_space(), {network_of(r.candidate)});
      if (test.empty()) return;  // an estimator without a test set
      r.data["test_accuracy"] = test[0];
      const InterruptNotice::Hold together;
      journal_.append(r.data);
    }
  }

  // The test accuracy of every front member, in order, when each has one (else empty).
  std::vector<double> front_test_accuracy(const std::vector<size_t>& front) const {
    std::vector<double> test;
    for (size_t i : front)
      if (all_[i].data.contains("test_accuracy")) test.push_back(all_[i].data["test_accuracy"].get<double>());
    if (test.size() != front.size()) test.clear();
    return test;
  }

  // front.csv's columns; the plots find theirs here.
  std::vector<std::string> front_header(bool with_test) const {
    std::vector<std::string> header = {"rank", "encoding", "workload", accuracy_column()};
    if (with_test) header.push_back("test_accuracy");
    for (const char* h : {"energy_uJ", "latency_ms", "edp_uJ_ms", "cycles", "genes"}) header.push_back(h);
    for (OpType op : kOpTypes) header.push_back(fmt::format("{}_mac_share", to_string(op)));
    if (codesign_) header.insert(header.end(), {"area_mm2", "arch"});
    return header;
  }

  // The column of front.csv named `name`, counted from 1 as gnuplot does.
  size_t front_column(const std::string& name) const {
    const std::vector<std::string> h = front_header(!front_test_accuracy(front_members()).empty());
    return size_t(std::find(h.begin(), h.end(), name) - h.begin()) + 1;
  }

  // What front.json says of the search as a whole.
  nlohmann::json front_document() const {
    nlohmann::json fj = {{"format", "cosim-search-front/1"},
                         {"space", space_->name},
                         {"mapping_objective", to_string(mapping_objective(c_.hardware))},
                         {"arch", arch_.file},
                         {"hardware_objective", c_.hardware},
                         {"accuracy_estimator", estimator_->label()},
                         {"reference_point", {{c_.hardware, ref_[0]}, {"accuracy", -ref_[1]}}},
                         {"notes", space_->notes},
                         {"members", nlohmann::json::array()}};
    if (codesign_) {  // each member has its own accelerator, and area
      fj["arch_parameters"] = nlohmann::json::array();
      for (const ArchParameter& p : codesign_->parameters()) fj["arch_parameters"].push_back(p.name);
      if (c_.area_budget_mm2 > 0) fj["area_budget_mm2"] = c_.area_budget_mm2;
    } else {  // the accelerator is fixed during a search, so its area is one figure for every candidate
      fj["area_mm2"] = arch_area(arch_).total_mm2();
    }
    return fj;
  }

  // front.csv, front.json and one workload file per member (co-design: and its accelerator), in order of
  // the hardware objective.
  void write_front(std::vector<std::pair<std::string, std::string>>& files) const {
    const std::vector<size_t> front = front_members();
    std::filesystem::create_directories(out_ + "/front");
    const std::string acc_name = accuracy_column();
    const std::vector<double> test = front_test_accuracy(front);
    std::string csv = csv_line(front_header(!test.empty()));
    nlohmann::json fj = front_document();
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
      nlohmann::json member = {{"encoding", r.encoding},          {"workload", "front/" + wname + ".json"},
                               {acc_name, r.data.at("accuracy")}, {"metrics", m},
                               {"genes", r.data.at("genes")},     {"mac_share", share_by_op}};
      if (!test.empty()) member["test_accuracy"] = test[k];
      if (codesign_) add_accelerator(r, wname, row, member, files);
      csv += csv_line(row);
      fj["members"].push_back(member);
    }
    files.emplace_back(out_ + "/front.csv", csv);
    files.emplace_back(out_ + "/front.json", fj.dump(2) + "\n");
  }

  // Co-design: a front member's accelerator as an architecture file beside its workload
  // (`cosim run front/front_00.json --arch front/front_00.arch.json` runs the pair), and its area.
  void add_accelerator(const Record& r, const std::string& wname, std::vector<std::string>& row,
                       nlohmann::json& member,
                       std::vector<std::pair<std::string, std::string>>& files) const {
    const std::string arch_file = "front/" + wname + ".arch.json";
    nlohmann::json doc = with_portable_technology(codesign_->arch_document(r.candidate), arch_.file);
    doc["name"] = space_->name + " co-design " + wname;
    files.emplace_back(out_ + "/" + arch_file, doc.dump(2) + "\n");
    row.push_back(fmt::format("{:.6f}", r.data.at("area_mm2").get<double>()));
    row.push_back(arch_file);
    member["arch"] = arch_file;
    member["arch_parameters"] = r.data.at("arch");
    member["area_mm2"] = r.data.at("area_mm2");
  }

  // hypervolume.csv and evaluations.csv.
  void write_tables(std::vector<std::pair<std::string, std::string>>& files) const {
    std::string hv_csv = "generation,evaluations,hypervolume,front_size\n";
    for (const auto& h : hv_log_) hv_csv += fmt::format("{},{},{:.9g},{}\n", h[0], h[1], h[2], h[3]);
    files.emplace_back(out_ + "/hypervolume.csv", hv_csv);
    std::vector<std::string> head = {"encoding",  accuracy_column(), "energy_uJ", "latency_ms",
                                     "edp_uJ_ms", "feasible",        "error"};
    if (codesign_) head.push_back("area_mm2");
    std::string ev = csv_line(head);
    for (const Record& r : all_) {
      std::vector<std::string> row;
      if (r.data.contains("error")) {  // could not run on the accelerator: no figures, infeasible
        row = {r.encoding, "", "", "", "", "0", r.data.at("error").get<std::string>()};
      } else if (r.data.contains("over_area_budget")) {
        row = {r.encoding, "", "", "", "", "0", "over the area budget"};
      } else {
        const nlohmann::json& m = r.data.at("metrics");
        row = {r.encoding,
               fmt::format("{:.6g}", r.data.at("accuracy").get<double>()),
               fmt::format("{:.6f}", m.at("energy_uJ").get<double>()),
               fmt::format("{:.6f}", m.at("latency_ms").get<double>()),
               fmt::format("{:.6f}", m.at("edp_uJ_ms").get<double>()),
               r.scored.violation == 0 ? "1" : "0",
               ""};
      }
      if (codesign_) row.push_back(fmt::format("{:.6f}", r.data.at("area_mm2").get<double>()));
      ev += csv_line(row);
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
        hw_column, front_column(hw_metric(c_.hardware)));
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
  const CoDesignSpace* codesign_;
  std::map<std::string, double> accuracy_of_network_;  // network encoding -> estimate (co-design)
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

// Co-design: the network space followed by the accelerator parameters' genes (docs/search.md).
std::unique_ptr<CoDesignSpace> with_accelerator_genes(std::unique_ptr<SearchSpace> space,
                                                      const SearchConfig& c, const ArchSpec& arch) {
  std::vector<ArchParameter> params = c.arch_parameters;
  const nlohmann::json base = JsonField::load(arch.file).raw();
  resolve_parameters(params, base, arch.file);
  return std::make_unique<CoDesignSpace>(std::move(space), std::move(params), base, arch.file);
}

}  // namespace

std::string run_search(const SearchConfig& c) {
  std::unique_ptr<SearchSpace> space = read_space(c.space, c.data_dir);
  ArchSpec arch = read_arch(c.arch);
  space->fit_to(arch);
  for (const std::string& note : space->notes) std::cerr << "cosim: note: " << note << "\n";
  const CoDesignSpace* codesign = nullptr;
  if (!c.arch_parameters.empty()) {
    std::unique_ptr<CoDesignSpace> joint = with_accelerator_genes(std::move(space), c, arch);
    codesign = joint.get();
    space = std::move(joint);
  } else if (c.area_budget_mm2 > 0) {
    throw InputError("--area-budget", "",
                     fmt::format("an area budget needs accelerator parameters to search (--arch-set or "
                                 "--arch-space): the "
                                 "accelerator {} is fixed otherwise, with {:.3f} mm2",
                                 arch.file, arch_area(arch).total_mm2()));
  }
  // Checked before the workers start, so a bad estimator or strategy is one line at once.
  make_estimator(c.estimator, c.estimator_timeout_s, c.more_estimators);
  make_strategy(c.strategy, *space, c.seed, c.population);
  // Workers first (before MPI starts and before anything elaborates); under mpirun the other ranks only
  // evaluate what rank 0 sends them.
  EvaluatorPool pool(arch, mapping_objective(c.hardware), c.jobs > 0 ? c.jobs : default_worker_count(),
                     codesign != nullptr);
  if (pool.rank() > 0) {
    pool.serve();
    return "";
  }
  return SearchRun(c, std::move(space), codesign, std::move(arch), pool).run();
}

}  // namespace cosim
