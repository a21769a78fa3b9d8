// The Python module's core (`cosim._core`, wrapped by python/cosim/__init__.py; docs/python.md). Workloads
// and reports cross as JSON text. Runs go to one worker process per architecture, forked on the first run on
// it: SystemC elaborates once per process, so each worker elaborates its architecture once and runs every
// workload given for it, and this process (Python's) never elaborates at all, so any number of
// architectures can be used in any order. The GIL is released while a worker simulates.
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <map>
#include <memory>

#include "cli/commands.hpp"
#include "cli/report_format.hpp"
#include "cli/workload_inputs.hpp"
#include "flow/network_simulator.hpp"
#include "importer/onnx_import.hpp"
#include "nas/cost_table.hpp"
#include "nas/search_space.hpp"
#include "parallel/process_pool.hpp"
#include "spec/input_error.hpp"
#include "spec/json_reader.hpp"

// libsystemc's main() refers to sc_main, resolved when the module loads (so it must be visible); the module
// never calls either.
__attribute__((visibility("default"))) int sc_main(int, char**) {
  return 0;
}

namespace cosim {
namespace {

namespace py = pybind11;
using nlohmann::json;

// An input error found in a worker process: the same one line as `cosim` prints, raised as cosim.InputError.
struct WorkerInputError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

Network read_checked(const std::string& workload, const std::string& name, const ArchSpec* arch) {
  Network net = read_network(JsonField::from(json::parse(workload), name));
  if (arch) check_supported(net, *arch);
  return net;
}

// A search space fitted to the accelerator it is tabulated on.
std::unique_ptr<SearchSpace> fitted_space(const std::string& space, const ArchSpec& arch) {
  std::unique_ptr<SearchSpace> s = read_space(space, COSIM_DATA_DIR);
  s->fit_to(arch);
  return s;
}

// In the worker: the cost table of a search space (nas/cost_table.hpp) on the worker's model.
json cost_table_in_worker(const ArchSpec& arch, NetworkSimulator& sim, const json& task) {
  CostTableOptions o;
  o.objective = objective_from_string(task.at("objective"));
  o.samples = task.at("samples");
  o.seed = task.at("seed");
  return to_json(build_cost_table(*fitted_space(task.at("space"), arch), sim, o));
}

// In the worker: maps and runs one workload on its architecture's model, elaborated on the first run.
json run_in_worker(const ArchSpec& arch, std::unique_ptr<NetworkSimulator>& sim, const json& task) {
  try {
    const bool first = !sim;
    if (task.contains("space")) {
      if (first) sim = std::make_unique<NetworkSimulator>(arch);
      return {{"report", cost_table_in_worker(arch, *sim, task).dump()}, {"elaborated", first}};
    }
    const Network net = read_checked(task.at("workload"), task.at("name"), &arch);
    WorkloadInputs in;
    in.objective = task.at("objective");
    in.mapping_file = task.at("mapping");
    const MappedWorkload mapped = in.map(arch, net);
    if (first) sim = std::make_unique<NetworkSimulator>(arch);
    RunReport report = sim->run(net, mapped.plans);
    report.mapper = mapped.description;
    report.notes = workload_notes(net, arch, task.at("name"));
    return {{"report", to_json(report).dump()}, {"elaborated", first}};
  } catch (const InputError& e) {
    return {{"input_error", e.what()}};
  }
}

struct ArchWorker {
  ArchSpec arch;
  std::unique_ptr<ProcessPool> pool;
};

struct Workers {
  std::map<std::string, ArchWorker> by_arch;  // resolved architecture file -> its worker
  int elaborations = 0;
  uint64_t next_id = 0;
};

Workers& workers() {
  static Workers w;
  return w;
}

ArchWorker& worker_for(const std::string& arch_arg) {
  const std::string path = resolve_arch(arch_arg);
  auto found = workers().by_arch.find(path);
  if (found != workers().by_arch.end()) return found->second;
  ArchWorker w{read_arch(path), nullptr};
  auto sim = std::make_shared<std::unique_ptr<NetworkSimulator>>();
  const ArchSpec arch = w.arch;
  w.pool = std::make_unique<ProcessPool>(
      1, [arch, sim](const json& task) { return run_in_worker(arch, *sim, task); },
      TaskIsolation::SharedProcess);
  return workers().by_arch.emplace(path, std::move(w)).first->second;
}

// Sends a task to the worker of its architecture and waits for the report, the GIL released.
std::string in_worker(ArchWorker& w, const std::string& arch_arg, const json& task) {
  std::vector<TaskResult> results;
  {
    py::gil_scoped_release release;
    w.pool->submit(++workers().next_id, task);
    while (results.empty()) results = w.pool->collect(-1);
  }
  const TaskResult& r = results.front();
  if (!r.error.empty())
    throw std::runtime_error("cosim: the worker process for " + arch_arg + " failed: " + r.error);
  if (r.result.contains("input_error")) throw WorkerInputError(r.result.at("input_error").get<std::string>());
  if (r.result.at("elaborated").get<bool>()) ++workers().elaborations;
  return r.result.at("report").get<std::string>();
}

std::string run(const std::string& workload, const std::string& name, const std::string& arch_arg,
                const std::string& objective, const std::string& mapping) {
  ArchWorker& w = worker_for(arch_arg);
  read_checked(workload, name, &w.arch);  // input errors found here, in this process, with their context
  return in_worker(w, arch_arg,
                   {{"workload", workload}, {"name", name}, {"objective", objective}, {"mapping", mapping}});
}

std::string lut(const std::string& space, const std::string& arch_arg, const std::string& objective,
                int samples, uint64_t seed) {
  ArchWorker& w = worker_for(arch_arg);
  fitted_space(space, w.arch);  // a missing or malformed space file: found here, with its context
  return in_worker(w, arch_arg,
                   {{"space", space}, {"objective", objective}, {"samples", samples}, {"seed", seed}});
}

std::string map(const std::string& workload, const std::string& name, const std::string& arch_arg,
                const std::string& objective) {
  const ArchSpec arch = read_arch(resolve_arch(arch_arg));
  const Network net = read_checked(workload, name, &arch);
  return map_workload_json(arch, net, objective_from_string(objective));
}

ImportOptions import_options(const std::string& ops_file) {
  return ops_file.empty() ? ImportOptions{} : read_import_options(ops_file);
}

}  // namespace
}  // namespace cosim

PYBIND11_MODULE(_core, m) {
  namespace py = pybind11;
  using namespace cosim;
  m.doc() = "cosim's core: JSON in, JSON out (use the cosim package, not this module)";
  static py::exception<InputError>& input_error =
      py::register_exception<InputError>(m, "InputError", PyExc_ValueError);
  py::register_exception_translator([](std::exception_ptr p) {
    try {
      if (p) std::rethrow_exception(p);
    } catch (const WorkerInputError& e) {
      PyErr_SetString(input_error.ptr(), e.what());
    }
  });
  m.def("run", &run, "Map and simulate a workload (JSON text) on an architecture; returns the report (JSON)");
  m.def("map", &map, "Map a workload (JSON text) on an architecture; returns the mapping (JSON)");
  m.def("check_workload",
        [](const std::string& w, const std::string& name) { read_checked(w, name, nullptr); });
  m.def("import_onnx", [](const std::string& path, const std::string& ops) {
    return import_onnx(path, import_options(ops)).dump();
  });
  m.def("import_onnx_data", [](const py::bytes& data, const std::string& name, const std::string& ops) {
    return import_onnx_data(std::string(data), name, import_options(ops)).dump();
  });
  m.def("lut", &lut,
        "Cost table of a search space's blocks on an architecture, with its additivity error (JSON)");
  m.def("elaborations", [] { return workers().elaborations; });
  m.def("architectures", [] {
    std::vector<std::string> a;
    for (const auto& [path, w] : workers().by_arch) a.push_back(path);
    return a;
  });
}
