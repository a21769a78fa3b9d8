#include "sweep/sweep_spec.hpp"

#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <random>
#include <set>

#include <fmt/format.h>

#include "importer/workload_file.hpp"
#include "model/area_model.hpp"
#include "spec/arch_parameters.hpp"
#include "spec/arch_spec.hpp"
#include "spec/input_error.hpp"
#include "spec/json_reader.hpp"
#include "spec/network.hpp"
#include "spec/preset_files.hpp"

namespace cosim {

const char* to_string(SweepObjective o) {
  switch (o) {
    case SweepObjective::Latency:
      return "latency";
    case SweepObjective::Energy:
      return "energy";
    case SweepObjective::Edp:
      return "edp";
    case SweepObjective::Area:
      return "area";
  }
  return "?";
}

namespace {

namespace fs = std::filesystem;

constexpr uint64_t kMaxGrid = 100000;  // configurations a grid may have (more: sample at random)

ArchSpec check_arch(const nlohmann::json& doc, const std::string& arch_file) {
  return read_arch(JsonField::from(doc, arch_file));
}

SweepObjective objective_named(const std::string& s, const std::string& source, const std::string& pointer) {
  for (SweepObjective o :
       {SweepObjective::Latency, SweepObjective::Energy, SweepObjective::Edp, SweepObjective::Area}) {
    if (s == to_string(o)) return o;
  }
  throw InputError(source, pointer,
                   "unknown objective \"" + s + "\" (expected latency, energy, edp or area)");
}

// A sweep file (or none: the command line alone) as it is read, part by part.
struct SweepReader {
  const std::string& file;
  const SweepOverrides& ov;
  const std::string& data_dir;
  std::optional<JsonField> root;
  std::string base_dir;
  SweepSpec s;

  bool has(const char* field) const { return root && root->has(field); }

  void read_header() {
    if (file.empty()) {
      s.file = "command line";
      s.name = "command-line";
      return;
    }
    root = JsonField::load(file);
    root->allow_only({"format", "name", "description", "arch", "workloads", "parameters", "sample",
                      "area_budget", "mapping_objective", "objectives"});
    (*root)["format"].choice({"cosim-sweep/1"});
    s.file = file;
    s.name = root->optional("name") ? (*root)["name"].string() : fs::path(file).stem().string();
    base_dir = fs::path(file).parent_path().string();
  }

  // The base architecture: --arch, the file's "arch", or the default preset.
  ArchSpec read_base_arch() {
    if (!ov.arch.empty()) {
      s.arch_file = resolve_preset(ov.arch, "", data_dir, "arch");
    } else if (has("arch")) {
      const JsonField a = (*root)["arch"];
      try {
        s.arch_file = resolve_preset(a.string(), base_dir, data_dir, "arch");
      } catch (const InputError& e) {
        a.fail(e.problem());
      }
    } else {
      s.arch_file = resolve_preset("default", "", data_dir, "arch");
    }
    s.arch = JsonField::load(s.arch_file).raw();
    return check_arch(s.arch, s.arch_file);
  }

  // Workloads: checked here, so a bad one stops the sweep before it starts.
  void read_workloads(const ArchSpec& base) {
    if (!ov.workloads.empty()) {
      for (const auto& w : ov.workloads) s.workloads.push_back(resolve_preset(w, "", data_dir, "workloads"));
    } else if (has("workloads")) {
      const JsonField ws = (*root)["workloads"];
      if (ws.elements().empty()) ws.fail("expected at least one workload");
      for (const JsonField& w : ws.elements()) {
        try {
          s.workloads.push_back(resolve_preset(w.string(), base_dir, data_dir, "workloads"));
        } catch (const InputError& e) {
          w.fail(e.problem());
        }
      }
    } else {
      for (const char* w : {"vit", "resnet20_hybrid"})
        s.workloads.push_back(resolve_preset(w, "", data_dir, "workloads"));
    }
    for (const std::string& w : s.workloads) check_supported(read_workload_file(w), base);
  }

  // Parameters: the spec's, in the order written (JsonField's objects are sorted by key: the grid's nesting
  // and the columns follow the file), then --set (replacing one of the same name).
  void read_parameters() {
    if (has("parameters")) {
      const JsonField ps = (*root)["parameters"];
      if (!ps.is_object()) ps.fail("expected an object: field path -> list of values or range");
      std::ifstream in(file, std::ios::binary);
      const auto ordered = nlohmann::ordered_json::parse(in, nullptr, false);
      for (const auto& item : ordered.at("parameters").items()) {
        const JsonField f = ps[item.key()];
        SweepParameter p;
        p.name = item.key(), p.source = s.file, p.pointer = f.pointer();
        p.values = read_parameter_values(f);
        s.parameters.push_back(std::move(p));
      }
    }
    for (const std::string& set : ov.sets)
      set_parameter(s.parameters, read_parameter_assignment(set, "--set"));
    if (s.parameters.empty()) {
      throw InputError(s.file, file.empty() ? "" : "/parameters",
                       "nothing to sweep: give parameters in the spec or with --set FIELD=V1,V2,...");
    }
  }

  // Fields, and every value checked alone against the base architecture.
  void check_parameters() { resolve_parameters(s.parameters, s.arch, s.arch_file); }

  void read_sample_and_budget() {
    if (has("sample")) {
      const JsonField smp = (*root)["sample"];
      smp.allow_only({"random", "seed"});
      s.random_samples = uint64_t(smp["random"].positive());
      if (auto sd = smp.optional("seed")) s.seed = uint64_t(sd->integer_in(0, INT64_MAX));
    }
    if (ov.random_samples == 0) throw InputError("--random", "", "expected at least 1 sample");
    if (ov.random_samples > 0) s.random_samples = uint64_t(ov.random_samples);
    if (ov.seed >= 0) s.seed = uint64_t(ov.seed);
    if (has("area_budget")) {
      s.area_budget_mm2 = (*root)["area_budget"].quantity(Dimension::Area).value * 1e6;
      s.area_budget_source = s.file;
      if (!(s.area_budget_mm2 > 0)) (*root)["area_budget"].fail("expected an area above 0");
    }
    if (ov.area_budget_mm2 == 0) throw InputError("--area-budget", "", "expected an area above 0 mm2");
    if (ov.area_budget_mm2 > 0)
      s.area_budget_mm2 = ov.area_budget_mm2, s.area_budget_source = "--area-budget";
  }

  void read_objectives() {
    if (has("mapping_objective"))
      s.mapping_objective =
          objective_from_string((*root)["mapping_objective"].choice({"latency", "energy", "edp"}));
    if (!ov.mapping_objective.empty()) s.mapping_objective = objective_from_string(ov.mapping_objective);
    std::vector<std::pair<std::string, std::string>> objectives;  // (name, pointer)
    if (!ov.objectives.empty()) {
      for (const std::string& o : split_list(ov.objectives, ',')) objectives.push_back({o, ""});
    } else if (has("objectives")) {
      const JsonField os = (*root)["objectives"];
      if (os.elements().empty()) os.fail("expected at least one objective");
      for (const JsonField& o : os.elements()) objectives.push_back({o.string(), o.pointer()});
    }
    if (objectives.empty()) return;
    s.objectives.clear();
    for (const auto& [o, ptr] : objectives) {
      const std::string src = ptr.empty() ? "--objectives" : s.file;
      const SweepObjective x = objective_named(o, src, ptr);
      if (std::find(s.objectives.begin(), s.objectives.end(), x) != s.objectives.end())
        throw InputError(src, ptr, "objective \"" + o + "\" is listed twice");
      s.objectives.push_back(x);
    }
  }
};

}  // namespace

SweepSpec read_sweep(const std::string& file, const SweepOverrides& ov, const std::string& data_dir) {
  SweepReader r{file, ov, data_dir, std::nullopt, "", {}};
  r.read_header();
  const ArchSpec base = r.read_base_arch();
  r.read_workloads(base);
  r.read_parameters();
  r.check_parameters();
  r.read_sample_and_budget();
  r.read_objectives();
  return r.s;
}

SweepPlan plan_sweep(const SweepSpec& s) {
  SweepPlan plan;
  plan.grid_size = 1;
  for (const SweepParameter& p : s.parameters) {
    // Saturates: a sample of a grid beyond 2^64 points still draws every value of every parameter.
    plan.grid_size =
        plan.grid_size > UINT64_MAX / p.values.size() ? UINT64_MAX : plan.grid_size * p.values.size();
  }
  if (s.random_samples == 0 && plan.grid_size > kMaxGrid) {
    throw InputError(
        s.file, "/parameters",
        fmt::format("the grid has more than {} configurations; sample it (\"sample\": {{\"random\": "
                    "N}} or --random N)",
                    kMaxGrid));
  }
  // Grid index -> one value per parameter, the first parameter varying slowest (nested loops in spec order).
  auto point_at = [&](uint64_t index) {
    SweepPoint pt;
    pt.choice.assign(s.parameters.size(), 0);
    for (size_t k = s.parameters.size(); k-- > 0;) {
      pt.choice[k] = size_t(index % s.parameters[k].values.size());
      index /= s.parameters[k].values.size();
    }
    pt.arch = with_parameters(s.arch, s.parameters, pt.choice, &pt.assignments);
    pt.key = pt.arch.dump();
    try {
      pt.area_mm2 = arch_area(check_arch(pt.arch, s.arch_file)).total_mm2();
    } catch (const InputError& e) {
      throw InputError(s.file, "/parameters",
                       "the architecture rejects the combination " + pt.assignments.dump() + ": " + e.path() +
                           ": " + e.problem());
    }
    return pt;
  };
  double smallest = 0;  // area of the smallest configuration looked at
  auto within_budget = [&](const SweepPoint& pt) {
    if (smallest == 0 || pt.area_mm2 < smallest) smallest = pt.area_mm2;
    if (s.area_budget_mm2 > 0 && pt.area_mm2 > s.area_budget_mm2) {
      ++plan.over_budget;
      return false;
    }
    return true;
  };
  auto nothing_left = [&]() {
    return InputError(
        s.area_budget_source, s.area_budget_source == s.file ? "/area_budget" : "",
        fmt::format("the area budget of {} mm2 leaves no configuration to run (the smallest looked at "
                    "has {:.3f} mm2)",
                    s.area_budget_mm2, smallest));
  };
  if (s.random_samples == 0) {
    for (uint64_t i = 0; i < plan.grid_size; ++i) {
      SweepPoint pt = point_at(i);
      if (within_budget(pt)) plan.points.push_back(std::move(pt));
    }
    if (plan.points.empty()) throw nothing_left();
    return plan;
  }
  // A seeded sample of distinct grid points within the budget (mt19937_64's output is fixed by the standard,
  // so a seed gives the same sample everywhere).
  std::mt19937_64 rng(s.seed);
  std::set<uint64_t> tried;
  std::map<uint64_t, SweepPoint> chosen;
  const uint64_t attempts = 50 * s.random_samples + 1000;
  for (uint64_t a = 0; a < attempts && chosen.size() < s.random_samples && tried.size() < plan.grid_size;
       ++a) {
    const uint64_t i = rng() % plan.grid_size;
    if (!tried.insert(i).second) continue;
    SweepPoint pt = point_at(i);
    if (within_budget(pt)) chosen.emplace(i, std::move(pt));
  }
  if (chosen.empty()) throw nothing_left();
  for (auto& [i, pt] : chosen) plan.points.push_back(std::move(pt));
  return plan;
}

}  // namespace cosim
