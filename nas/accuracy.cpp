#include "nas/accuracy.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <map>
#include <sstream>

#include "parallel/pipe_io.hpp"
#include "spec/input_error.hpp"

namespace cosim {

double accuracy_proxy(const Network& net, const nlohmann::json& op_penalty) {
  double params = 0, macs = 0, penalty = 0;
  for (const Layer& l : net.layers)
    if (l.work == WorkKind::Gemm && l.b_is_weight) params += double(l.gemm.groups * l.gemm.k * l.gemm.n);
  const std::array<uint64_t, 3> by_op = net.macs_by_op();
  for (OpType op : kOpTypes) {
    macs += double(by_op[size_t(op)]);
    if (op_penalty.contains(to_string(op)))
      penalty += double(by_op[size_t(op)]) * op_penalty[to_string(op)].get<double>();
  }
  if (macs <= 0) return 0;
  return 0.5 * std::log10(1 + params) + 0.5 * std::log10(1 + macs / double(net.batch)) - penalty / macs;
}

namespace {

class ProxyEstimator : public AccuracyEstimator {
 public:
  std::string label() const override {
    return "proxy (training-free: parameter and operation counts, penalized per operator type; not accuracy)";
  }
  std::string kind() const override { return "proxy"; }
  double estimate(const SearchSpace& space, const Candidate&, const nlohmann::json&,
                  const Network& net) override {
    // Read and checked with the space (read_common in search_space.cpp): operator -> number.
    const nlohmann::json pen =
        space.proxy.contains("op_penalty") ? space.proxy["op_penalty"] : nlohmann::json::object();
    return accuracy_proxy(net, pen);
  }
};

class TableEstimator : public AccuracyEstimator {
 public:
  explicit TableEstimator(const std::string& file) : file_(file) {
    std::ifstream in(file);
    if (!in) throw InputError(file, "", "cannot read the accuracy table");
    std::string line;
    int enc = -1, acc = -1, n = 0;
    while (std::getline(in, line)) {
      ++n;
      if (!line.empty() && line.back() == '\r') line.pop_back();
      if (line.empty()) continue;
      std::vector<std::string> cells;
      std::stringstream s(line);
      std::string cell;
      while (std::getline(s, cell, ',')) cells.push_back(cell);
      if (enc < 0) {
        for (size_t i = 0; i < cells.size(); ++i) {
          if (cells[i] == "encoding") enc = int(i);
          if (cells[i] == "accuracy") acc = int(i);
        }
        if (enc < 0 || acc < 0)
          throw InputError(file, "line 1", "expected a header with columns encoding and accuracy");
        continue;
      }
      if (int(cells.size()) <= std::max(enc, acc))
        throw InputError(file, "line " + std::to_string(n), "too few columns");
      try {
        size_t used = 0;
        const double v = std::stod(cells[size_t(acc)], &used);
        if (used != cells[size_t(acc)].size()) throw std::invalid_argument("trailing text");
        table_[cells[size_t(enc)]] = v;
      } catch (const std::exception&) {
        throw InputError(file, "line " + std::to_string(n),
                         "accuracy \"" + cells[size_t(acc)] + "\" is not a number");
      }
    }
    if (table_.empty()) throw InputError(file, "", "no results in the accuracy table");
  }
  std::string label() const override { return "accuracy from the table " + file_; }
  std::string kind() const override { return "table"; }
  double estimate(const SearchSpace& space, const Candidate& c, const nlohmann::json&,
                  const Network&) override {
    const std::string e = space.encode(space.normalize(c));
    auto it = table_.find(e);
    if (it == table_.end())
      throw EstimatorError("accuracy table " + file_ + " has no row for candidate " + e);
    return it->second;
  }

 private:
  std::string file_;
  std::map<std::string, double> table_;
};

// A child process answering one JSON line per request line (per candidate, or per generation when
// `batch_`). Lines it prints that are not JSON go to stderr.
class CommandEstimator : public AccuracyEstimator {
 public:
  CommandEstimator(std::string cmd, double timeout_s, bool batch)
      : cmd_(std::move(cmd)), timeout_s_(timeout_s), batch_(batch) {}
  ~CommandEstimator() override { stop(); }
  std::string label() const override {
    return "accuracy from the command `" + cmd_ + "`" + (batch_ ? " (a generation per request)" : "");
  }
  std::string kind() const override { return "command"; }
  bool batched() const override { return batch_; }

  double estimate(const SearchSpace& space, const Candidate& c, const nlohmann::json& workload,
                  const Network&) override {
    const std::string enc = space.encode(space.normalize(c));
    send(
        nlohmann::json{
            {"encoding", enc}, {"space", space.name}, {"genes", space.describe(c)}, {"workload", workload}},
        "candidate " + enc);
    const nlohmann::json j = answer(timeout_s_, "candidate " + enc);
    if (!j.contains("accuracy") || !j["accuracy"].is_number())
      fail("answered " + j.dump().substr(0, 80) + " without a number \"accuracy\"", "candidate " + enc);
    return j["accuracy"].get<double>();
  }

  std::vector<double> estimate_batch(const SearchSpace& space, const std::vector<Candidate>& candidates,
                                     const std::vector<nlohmann::json>& workloads,
                                     const std::function<void()>& meanwhile) override {
    if (candidates.empty()) {
      meanwhile();
      return {};
    }
    const std::string what = "a generation of " + std::to_string(candidates.size()) + " candidates";
    send(batch_request(space, candidates, workloads), what);
    meanwhile();
    const nlohmann::json j = answer(timeout_s_ * double(candidates.size()), what);
    const nlohmann::json* acc = j.contains("accuracies") ? &j["accuracies"] : nullptr;
    if (!acc || !acc->is_array() || acc->size() != candidates.size() ||
        !std::all_of(acc->begin(), acc->end(), [](const nlohmann::json& x) { return x.is_number(); }))
      fail("answered " + j.dump().substr(0, 80) +
               " without \"accuracies\": one number per candidate, in order",
           what);
    return acc->get<std::vector<double>>();
  }

 private:
  // {"space", "candidates": [{"encoding", "genes": {name: option, ...}, "workload"}, ...]}
  static nlohmann::json batch_request(const SearchSpace& space, const std::vector<Candidate>& candidates,
                                      const std::vector<nlohmann::json>& workloads) {
    nlohmann::json items = nlohmann::json::array();
    for (size_t i = 0; i < candidates.size(); ++i) {
      const Candidate n = space.normalize(candidates[i]);
      nlohmann::json genes = nlohmann::json::object();
      for (size_t g = 0; g < space.genes.size(); ++g)
        genes[space.genes[g].name] = space.genes[g].options[size_t(n[g])];
      items.push_back({{"encoding", space.encode(n)}, {"genes", genes}, {"workload", workloads[i]}});
    }
    return {{"space", space.name}, {"candidates", items}};
  }
  static std::string fmt_seconds(double s) {
    std::ostringstream o;
    o << s << " s";
    return o.str();
  }
  [[noreturn]] void fail(const std::string& what, const std::string& about) {
    stop();
    throw EstimatorError("accuracy command `" + cmd_ + "` " + what + " (" + about + ")");
  }
  void send(const nlohmann::json& request, const std::string& about) {
    if (pid_ <= 0) start();
    if (!write_all(in_, request.dump() + "\n")) fail("stopped reading its input", about);
  }
  // The next line that is a JSON object; lines that are not JSON go to stderr (the command's own progress
  // and warnings).
  nlohmann::json answer(double timeout_s, const std::string& about) {
    const auto deadline =
        std::chrono::steady_clock::now() + std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                                               std::chrono::duration<double>(timeout_s));
    while (true) {
      const std::string line = next_line(deadline, timeout_s, about);
      nlohmann::json j = nlohmann::json::parse(line, nullptr, false);
      if (j.is_object()) return j;
      if (!j.is_discarded()) fail("answered " + line.substr(0, 80) + ", which is not a JSON object", about);
      std::fprintf(stderr, "%s\n", line.c_str());
    }
  }
  std::string next_line(std::chrono::steady_clock::time_point deadline, double timeout_s,
                        const std::string& about) {
    while (true) {
      const size_t nl = buffer_.find('\n');
      if (nl != std::string::npos) {
        std::string line = buffer_.substr(0, nl);
        buffer_.erase(0, nl + 1);
        return line;
      }
      const double left = std::chrono::duration<double>(deadline - std::chrono::steady_clock::now()).count();
      if (left <= 0) fail("gave no answer within " + fmt_seconds(timeout_s), about);
      pollfd p{out_, POLLIN, 0};
      const int r = ::poll(&p, 1, int(std::ceil(left * 1000)));
      if (r < 0 && errno == EINTR) continue;
      if (r == 0) continue;
      char buf[4096];
      const ssize_t n = ::read(out_, buf, sizeof buf);
      if (n <= 0) fail("exited without answering", about);
      buffer_.append(buf, size_t(n));
    }
  }
  void start() {
    int to_child[2], from_child[2];
    // Close-on-exec: the command must not hold other pipes of this process open (workers would never see
    // EOF).
    if (::pipe2(to_child, O_CLOEXEC) || ::pipe2(from_child, O_CLOEXEC))
      throw EstimatorError("cannot create pipes for `" + cmd_ + "`");
    ::signal(SIGPIPE, SIG_IGN);
    pid_ = ::fork();
    if (pid_ == 0) {
      ::dup2(to_child[0], 0);
      ::dup2(from_child[1], 1);
      ::close(to_child[1]), ::close(from_child[0]), ::close(to_child[0]), ::close(from_child[1]);
      ::execl("/bin/sh", "sh", "-c", cmd_.c_str(), static_cast<char*>(nullptr));
      ::_exit(127);
    }
    ::close(to_child[0]), ::close(from_child[1]);
    in_ = to_child[1], out_ = from_child[0];
  }
  void stop() {
    if (pid_ <= 0) return;
    ::close(in_), ::close(out_);
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, nullptr, 0);
    pid_ = -1;
    buffer_.clear();
  }

  std::string cmd_;
  double timeout_s_;
  bool batch_;
  pid_t pid_ = -1;
  int in_ = -1, out_ = -1;
  std::string buffer_;
};

}  // namespace

std::vector<double> AccuracyEstimator::estimate_batch(const SearchSpace&, const std::vector<Candidate>&,
                                                      const std::vector<nlohmann::json>&,
                                                      const std::function<void()>& meanwhile) {
  meanwhile();
  throw EstimatorError(label() + " answers one candidate at a time");
}

std::unique_ptr<AccuracyEstimator> make_estimator(const std::string& spec, double timeout_s,
                                                  const EstimatorFactory& more) {
  if (more) {
    if (std::unique_ptr<AccuracyEstimator> e = more(spec)) return e;
  }
  if (spec == "proxy") return std::make_unique<ProxyEstimator>();
  if (spec.rfind("table:", 0) == 0) return std::make_unique<TableEstimator>(spec.substr(6));
  if (spec.rfind("command:", 0) == 0 && spec.size() > 8)
    return std::make_unique<CommandEstimator>(spec.substr(8), timeout_s, false);
  if (spec.rfind("batch:", 0) == 0 && spec.size() > 6)
    return std::make_unique<CommandEstimator>(spec.substr(6), timeout_s, true);
  throw InputError(
      spec, "",
      "unknown accuracy estimator: give proxy, table:FILE, command:CMD, batch:CMD or supernet:FILE");
}

}  // namespace cosim
