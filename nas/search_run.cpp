#include "nas/search_run.hpp"

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
#include "results/gnuplot.hpp"
#include "results/journal.hpp"
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

const char* hw_unit(const std::string& which) {
  return which == "energy" ? "uJ" : which == "latency" ? "ms" : "uJ*ms";
}

}  // namespace

std::string run_search(const SearchConfig& c) {
  namespace fs = std::filesystem;
  const auto t0 = std::chrono::steady_clock::now();
  std::unique_ptr<SearchSpace> space = read_space(c.space, c.data_dir);
  ArchSpec arch = read_arch(c.arch);
  std::unique_ptr<AccuracyEstimator> estimator = make_estimator(c.estimator, c.estimator_timeout_s);
  std::unique_ptr<Strategy> strategy = make_strategy(c.strategy, *space, c.seed, c.population);
  // Workers first (before MPI starts and before anything elaborates); under mpirun the other ranks only
  // evaluate what rank 0 sends them.
  EvaluatorPool pool(arch, Objective::Edp, c.jobs > 0 ? c.jobs : default_worker_count());
  if (pool.rank() > 0) {
    pool.serve();
    return "";
  }
  // Without --out: a fresh directory named after the search (a second run does not overwrite the first).
  std::string out = c.out;
  if (out.empty()) {
    const std::string base =
        fmt::format("search-out/{}-{}-{}-seed{}", space->name, c.hardware, c.strategy, c.seed);
    out = base;
    for (int k = 2; fs::exists(out) && !c.resume; ++k) out = base + "-" + std::to_string(k);
  }
  fs::create_directories(out);

  const nlohmann::json header = {
      {"journal", "cosim-search/1"},
      {"version", model_version()},
      {"space", space->name},
      {"space_file", file_text(space->file)},
      {"arch_file", file_text(arch.file)},
      {"technology_file", file_text(arch.technology_file)},
      {"strategy", c.strategy},
      {"population", c.population},
      {"seed", c.seed},
      {"budget", c.budget},
      {"hardware", c.hardware},
      {"estimator", c.estimator},
      // A table's contents, not only its name: an edited table is another run.
      {"estimator_table",
       c.estimator.rfind("table:", 0) == 0 ? file_text(c.estimator.substr(6)) : std::string()},
      {"limits", {c.max_latency_ms, c.max_energy_uJ, c.max_edp, c.min_accuracy}}};
  Journal journal(out + "/journal.jsonl", header, c.resume, "search", "encoding");

  const std::array<double, 2> ref = {
      c.hardware == "energy"    ? space->reference.energy_uJ
      : c.hardware == "latency" ? space->reference.latency_ms
                                : space->reference.edp_uJ_ms,
      -(estimator->kind() == "proxy" ? space->reference.accuracy_proxy : space->reference.accuracy)};
  std::vector<Record> all;
  std::map<std::string, size_t> seen;         // encoding -> index in all
  std::vector<std::array<double, 4>> hv_log;  // generation, evaluations, hypervolume, front size
  size_t evaluations = 0, cache_hits = 0, from_journal = 0, failed = 0;
  std::string first_error;
  int generation = 0;
  auto score = [&](Record& r) {
    const nlohmann::json& d = r.data;
    r.scored.candidate = r.candidate;
    if (d.contains("error")) {
      r.scored.objectives = {ref[0] * 10, 0};
      r.scored.violation = 1e9;
      return;
    }
    const nlohmann::json& m = d.at("metrics");
    const double acc = d.at("accuracy").get<double>();
    r.scored.objectives = {hw_value(m, c.hardware), -acc};
    double v = 0;
    auto over = [&](double x, double limit) { return limit > 0 && x > limit ? (x - limit) / limit : 0.0; };
    v += over(m.at("latency_ms").get<double>(), c.max_latency_ms);
    v += over(m.at("energy_uJ").get<double>(), c.max_energy_uJ);
    v += over(m.at("edp_uJ_ms").get<double>(), c.max_edp);
    if (acc < c.min_accuracy) v += (c.min_accuracy - acc) / std::max(1e-9, std::fabs(c.min_accuracy));
    r.scored.violation = v;
  };

  while (evaluations < size_t(c.budget)) {
    const std::vector<Candidate> batch = strategy->propose(size_t(c.budget) - evaluations);
    if (batch.empty()) break;
    std::vector<Record> recs(batch.size());
    std::vector<nlohmann::json> to_run;
    std::vector<size_t> run_index;
    for (size_t i = 0; i < batch.size(); ++i) {
      recs[i].candidate = batch[i];
      recs[i].encoding = space->encode(batch[i]);
      if (auto it = seen.find(recs[i].encoding); it != seen.end()) {
        recs[i].data = all[it->second].data;
        ++cache_hits;
      } else if (const nlohmann::json* j = journal.find(recs[i].encoding)) {
        recs[i].data = *j;
        ++from_journal;
      } else if (std::find_if(run_index.begin(), run_index.end(), [&](size_t k) {
                   return recs[k].encoding == recs[i].encoding;
                 }) != run_index.end()) {
        ++cache_hits;  // proposed twice in one batch: filled in below
      } else {
        to_run.push_back(space->workload(batch[i], "cand_" + std::to_string(all.size() + i)));
        run_index.push_back(i);
      }
    }
    std::vector<std::string> errors;
    const std::vector<HardwareMetrics> metrics = pool.evaluate(to_run, errors);
    for (size_t k = 0; k < run_index.size(); ++k) {
      Record& r = recs[run_index[k]];
      nlohmann::json d = {{"encoding", r.encoding}, {"genes", space->describe(r.candidate)}};
      if (!errors[k].empty()) {
        d["error"] = errors[k];
        if (first_error.empty()) first_error = r.encoding + ": " + errors[k];
        ++failed;
      } else {
        const Network net = read_network(JsonField::from(to_run[k], to_run[k]["name"].get<std::string>()));
        d["metrics"] = to_json(metrics[k]);
        d["accuracy"] = estimator->estimate(*space, r.candidate, to_run[k], net);
      }
      journal.append(d);
      r.data = d;
    }
    for (Record& r : recs) {
      if (r.data.is_null()) r.data = journal.find(r.encoding) ? *journal.find(r.encoding) : nlohmann::json{};
      score(r);
    }
    std::vector<Scored> scored;
    for (Record& r : recs) {
      scored.push_back(r.scored);
      if (!seen.count(r.encoding)) seen[r.encoding] = all.size(), all.push_back(r);
      ++evaluations;
    }
    strategy->observe(scored);
    ++generation;
    std::vector<Scored> archive;
    for (const Record& r : all) archive.push_back(r.scored);
    const double hv = hypervolume(archive, ref);
    const size_t front = pareto_front(archive).size();
    hv_log.push_back({double(generation), double(evaluations), hv, double(front)});
    if (!c.quiet) {
      const double el = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
      double best = 0;
      bool any = false;
      for (const Scored& s : archive) {
        if (s.violation == 0 && (!any || s.objectives[0] < best)) best = s.objectives[0], any = true;
      }
      std::cerr << fmt::format(
                       "\rgeneration {:>3}: {:>5}/{} evaluations, {} cache hits, {} from the journal, best "
                       "{} {} {}, "
                       "hypervolume {:.4g}, {:.0f} s, ~{:.0f} s left   ",
                       generation, evaluations, c.budget, cache_hits, from_journal, c.hardware,
                       any ? fmt::format("{:.4g}", best) : "-", hw_unit(c.hardware), hv, el,
                       el / double(evaluations) * double(size_t(c.budget) - evaluations))
                << std::flush;
    }
  }
  if (!c.quiet) std::cerr << "\n";
  if (failed) {
    std::cerr << "cosim: warning: " << failed
              << " candidates could not run on the accelerator and count as infeasible; "
              << "first: " << first_error << "\n";
  }

  // Outputs.
  std::vector<Scored> archive;
  for (const Record& r : all) archive.push_back(r.scored);
  std::vector<size_t> front = pareto_front(archive);
  std::sort(front.begin(), front.end(),
            [&](size_t a, size_t b) { return archive[a].objectives[0] < archive[b].objectives[0]; });
  fs::create_directories(out + "/front");
  const std::string acc_name = estimator->kind() == "proxy" ? "accuracy_proxy" : "accuracy";
  std::string csv = "rank,encoding,workload," + acc_name + ",energy_uJ,latency_ms,edp_uJ_ms,cycles,genes\n";
  // The accelerator is fixed during a search, so its area is one figure for every candidate.
  nlohmann::json fj = {{"space", space->name},
                       {"arch", arch.file},
                       {"area_mm2", arch_area(arch).total_mm2()},
                       {"hardware_objective", c.hardware},
                       {"accuracy_estimator", estimator->label()},
                       {"reference_point", {{c.hardware, ref[0]}, {"accuracy", -ref[1]}}},
                       {"members", nlohmann::json::array()}};
  for (size_t k = 0; k < front.size(); ++k) {
    const Record& r = all[front[k]];
    const std::string wname = fmt::format("front_{:02d}", k);
    const std::string wfile = out + "/front/" + wname + ".json";
    write_file_whole(wfile, space->workload(r.candidate, wname).dump(2) + "\n");
    const nlohmann::json& m = r.data.at("metrics");
    csv += fmt::format("{},{},front/{}.json,{:.6g},{:.6f},{:.6f},{:.6f},{},\"{}\"\n", k, r.encoding, wname,
                       r.data.at("accuracy").get<double>(), m.at("energy_uJ").get<double>(),
                       m.at("latency_ms").get<double>(), m.at("edp_uJ_ms").get<double>(),
                       m.at("cycles").get<uint64_t>(), r.data.at("genes").get<std::string>());
    fj["members"].push_back({{"encoding", r.encoding},
                             {"workload", "front/" + wname + ".json"},
                             {acc_name, r.data.at("accuracy")},
                             {"metrics", m},
                             {"genes", r.data.at("genes")}});
  }
  write_file_whole(out + "/front.csv", csv);
  write_file_whole(out + "/front.json", fj.dump(2) + "\n");
  std::string hv_csv = "generation,evaluations,hypervolume,front_size\n";
  for (const auto& h : hv_log) hv_csv += fmt::format("{},{},{:.9g},{}\n", h[0], h[1], h[2], h[3]);
  write_file_whole(out + "/hypervolume.csv", hv_csv);
  std::string ev = "encoding," + acc_name + ",energy_uJ,latency_ms,edp_uJ_ms,feasible\n";
  for (const Record& r : all) {
    if (r.data.contains("error")) continue;
    const nlohmann::json& m = r.data.at("metrics");
    ev += fmt::format("{},{:.6g},{:.6f},{:.6f},{:.6f},{}\n", r.encoding, r.data.at("accuracy").get<double>(),
                      m.at("energy_uJ").get<double>(), m.at("latency_ms").get<double>(),
                      m.at("edp_uJ_ms").get<double>(), r.scored.violation == 0 ? 1 : 0);
  }
  write_file_whole(out + "/evaluations.csv", ev);
  // Plots with gnuplot.
  const std::string gp = fmt::format(
      "set terminal pngcairo size 900,600\nset datafile separator ','\nset key top left\n"
      "set output '{0}/front.png'\nset title 'Pareto front: {1} vs {2} ({3})'\nset xlabel '{1} ({4})'\nset "
      "ylabel '{2}'\n"
      "plot '{0}/evaluations.csv' every ::1 using {5}:2 with points pt 7 ps 0.5 lc rgb '#999999' title "
      "'evaluated', "
      "'{0}/front.csv' every ::1 using {6}:4 with linespoints pt 7 lc rgb '#cc0000' title 'front'\n"
      "set output '{0}/hypervolume.png'\nset title 'Hypervolume (reference point: {1} {7}, {2} {8})'\nset "
      "xlabel 'evaluations'\n"
      "set ylabel 'hypervolume'\nplot '{0}/hypervolume.csv' every ::1 using 2:3 with linespoints pt 7 title "
      "'{9}'\n",
      out, c.hardware, acc_name, estimator->label().substr(0, 40), hw_unit(c.hardware),
      c.hardware == "energy"    ? 3
      : c.hardware == "latency" ? 4
                                : 5,
      c.hardware == "energy"    ? 5
      : c.hardware == "latency" ? 6
                                : 7,
      ref[0], -ref[1], c.strategy);
  draw_with_gnuplot(out, "plots", gp);
  return out;
}

}  // namespace cosim
