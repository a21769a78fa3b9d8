#include "nas/evaluation.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <memory>
#include <stdexcept>

#include "mapper/auto_mapping.hpp"
#include "sim/accel/network_simulator.hpp"
#include "spec/input_error.hpp"
#include "spec/json_reader.hpp"

namespace cosim {

nlohmann::json to_json(const HardwareMetrics& m) {
  return {{"cycles", m.cycles},       {"latency_ms", m.latency_ms},   {"energy_uJ", m.energy_uJ},
          {"edp_uJ_ms", m.edp_uJ_ms}, {"utilization", m.utilization}, {"macs", m.macs}};
}

HardwareMetrics hardware_metrics_from(const nlohmann::json& j) {
  HardwareMetrics m;
  m.cycles = j.at("cycles").get<uint64_t>();
  m.latency_ms = j.at("latency_ms").get<double>();
  m.energy_uJ = j.at("energy_uJ").get<double>();
  m.edp_uJ_ms = j.at("edp_uJ_ms").get<double>();
  m.utilization = j.at("utilization").get<double>();
  m.macs = j.at("macs").get<uint64_t>();
  return m;
}

namespace {

bool write_all(int fd, const std::string& s) {
  size_t done = 0;
  while (done < s.size()) {
    const ssize_t n = ::write(fd, s.data() + done, s.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    done += size_t(n);
  }
  return true;
}

// The worker: one request line in, one result line out, until its input closes.
[[noreturn]] void worker_main(int in, int out, const ArchSpec& arch, Objective objective) {
  FILE* f = ::fdopen(in, "r");
  std::unique_ptr<NetworkSimulator> sim;
  MappingCache cache;
  char* line = nullptr;
  size_t cap = 0;
  while (::getline(&line, &cap, f) > 0) {
    nlohmann::json reply;
    try {
      const nlohmann::json req = nlohmann::json::parse(line);
      reply["id"] = req.at("id");
      const Network net =
          read_network(JsonField::from(req.at("workload"), req.at("workload").at("name").get<std::string>()));
      check_supported(net, arch);
      if (!sim) sim = std::make_unique<NetworkSimulator>(arch);
      const AutoMapping m = auto_mapping(net, sim->arch(), objective, nullptr, &cache);
      const RunReport r = sim->run(net, m.plans);
      HardwareMetrics h;
      h.cycles = r.total_cycles;
      h.latency_ms = r.total_us / 1000.0;
      h.energy_uJ = r.energy_pJ / 1e6;
      h.edp_uJ_ms = h.energy_uJ * h.latency_ms;
      h.utilization = r.utilization;
      h.macs = r.total_macs;
      reply["metrics"] = to_json(h);
    } catch (const std::exception& e) {
      reply["error"] = e.what();
    }
    if (!write_all(out, reply.dump() + "\n")) break;
  }
  std::_Exit(0);
}

}  // namespace

EvaluatorPool::EvaluatorPool(const ArchSpec& arch, Objective mapping_objective, int workers) {
  ::signal(SIGPIPE, SIG_IGN);
  for (int i = 0; i < std::max(1, workers); ++i) {
    int to[2], from[2];
    if (::pipe2(to, O_CLOEXEC) || ::pipe2(from, O_CLOEXEC))
      throw std::runtime_error("cannot create pipes for evaluation workers");
    std::fflush(nullptr);
    const pid_t pid = ::fork();
    if (pid < 0) throw std::runtime_error("cannot fork an evaluation worker");
    if (pid == 0) {
      // Keep only its own two pipe ends: a worker holding another worker's input open would keep that one
      // from ever seeing the end of its input (and its pool's destructor waiting).
      const unsigned lo = unsigned(std::min(to[0], from[1])), hi = unsigned(std::max(to[0], from[1]));
      ::close_range(3, lo - 1, 0);
      ::close_range(lo + 1, hi - 1, 0);
      ::close_range(hi + 1, ~0U, 0);
      worker_main(to[0], from[1], arch, mapping_objective);
    }
    ::close(to[0]), ::close(from[1]);
    workers_.push_back({pid, to[1], from[0], {}});
  }
}

EvaluatorPool::~EvaluatorPool() {
  for (Worker& w : workers_) ::close(w.in);
  for (Worker& w : workers_) {
    ::close(w.out);
    ::waitpid(w.pid, nullptr, 0);
  }
}

std::vector<HardwareMetrics> EvaluatorPool::evaluate(const std::vector<nlohmann::json>& workloads,
                                                     std::vector<std::string>& errors) {
  std::vector<HardwareMetrics> out(workloads.size());
  errors.assign(workloads.size(), "");
  size_t next = 0, done = 0;
  std::vector<int> busy(workers_.size(), -1);
  auto send = [&](size_t w) {
    if (next >= workloads.size()) return;
    busy[w] = int(next);
    if (!write_all(workers_[w].in,
                   nlohmann::json{{"id", next}, {"workload", workloads[next]}}.dump() + "\n")) {
      throw std::runtime_error("an evaluation worker stopped reading");
    }
    ++next;
  };
  for (size_t w = 0; w < workers_.size(); ++w) send(w);
  while (done < workloads.size()) {
    std::vector<pollfd> fds;
    for (const Worker& w : workers_) fds.push_back({w.out, POLLIN, 0});
    if (::poll(fds.data(), fds.size(), -1) < 0) {
      if (errno == EINTR) continue;
      throw std::runtime_error("poll failed");
    }
    for (size_t w = 0; w < workers_.size(); ++w) {
      if (!(fds[w].revents & (POLLIN | POLLHUP))) continue;
      char buf[65536];
      const ssize_t n = ::read(workers_[w].out, buf, sizeof buf);
      if (n <= 0) throw std::runtime_error("an evaluation worker died");
      workers_[w].buffer.append(buf, size_t(n));
      size_t nl;
      while ((nl = workers_[w].buffer.find('\n')) != std::string::npos) {
        const nlohmann::json r = nlohmann::json::parse(workers_[w].buffer.substr(0, nl));
        workers_[w].buffer.erase(0, nl + 1);
        const size_t id = r.at("id").get<size_t>();
        if (r.contains("error")) {
          errors[id] = r["error"].get<std::string>();
        } else {
          out[id] = hardware_metrics_from(r.at("metrics"));
        }
        ++done;
        busy[w] = -1;
        send(w);
      }
    }
  }
  return out;
}

}  // namespace cosim
