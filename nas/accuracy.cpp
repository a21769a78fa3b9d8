#include "nas/accuracy.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <fstream>
#include <map>
#include <sstream>

#include "parallel/pipe_io.hpp"
#include "spec/input_error.hpp"

namespace cosim {

double accuracy_proxy(const Network& net, const nlohmann::json& op_penalty) {
  double params = 0, macs = 0, penalty = 0;
  for (const Layer& l : net.layers) {
    if (l.work != WorkKind::Gemm) continue;
    const double m = double(l.macs());
    if (l.b_is_weight) params += double(l.gemm.groups * l.gemm.k * l.gemm.n);
    macs += m;
    const std::string op = to_string(l.op);
    if (op_penalty.contains(op)) penalty += m * op_penalty[op].get<double>();
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

// A child process answering one JSON line per request line.
class CommandEstimator : public AccuracyEstimator {
 public:
  CommandEstimator(std::string cmd, double timeout_s) : cmd_(std::move(cmd)), timeout_s_(timeout_s) {}
  ~CommandEstimator() override { stop(); }
  std::string label() const override { return "accuracy from the command `" + cmd_ + "`"; }
  std::string kind() const override { return "command"; }

  double estimate(const SearchSpace& space, const Candidate& c, const nlohmann::json& workload,
                  const Network&) override {
    if (pid_ <= 0) start();
    const std::string enc = space.encode(space.normalize(c));
    const std::string request =
        nlohmann::json{
            {"encoding", enc}, {"space", space.name}, {"genes", space.describe(c)}, {"workload", workload}}
            .dump() +
        "\n";
    if (!write_all(in_, request)) fail("stopped reading its input", enc);
    std::string line;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::duration<double>(timeout_s_);
    while (true) {
      const size_t nl = buffer_.find('\n');
      if (nl != std::string::npos) {
        line = buffer_.substr(0, nl);
        buffer_.erase(0, nl + 1);
        break;
      }
      const double left = std::chrono::duration<double>(deadline - std::chrono::steady_clock::now()).count();
      if (left <= 0) fail("gave no answer within " + fmt_seconds(timeout_s_), enc);
      pollfd p{out_, POLLIN, 0};
      const int r = ::poll(&p, 1, int(std::ceil(left * 1000)));
      if (r < 0 && errno == EINTR) continue;
      if (r == 0) continue;
      char buf[4096];
      const ssize_t n = ::read(out_, buf, sizeof buf);
      if (n <= 0) fail("exited without answering", enc);
      buffer_.append(buf, size_t(n));
    }
    nlohmann::json j;
    try {
      j = nlohmann::json::parse(line);
    } catch (const std::exception&) {
      fail("answered \"" + line.substr(0, 80) + "\", which is not JSON", enc);
    }
    if (!j.is_object() || !j.contains("accuracy") || !j["accuracy"].is_number()) {
      fail("answered " + line.substr(0, 80) + " without a number \"accuracy\"", enc);
    }
    return j["accuracy"].get<double>();
  }

 private:
  static std::string fmt_seconds(double s) {
    std::ostringstream o;
    o << s << " s";
    return o.str();
  }
  [[noreturn]] void fail(const std::string& what, const std::string& enc) {
    stop();
    throw EstimatorError("accuracy command `" + cmd_ + "` " + what + " (candidate " + enc + ")");
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
  pid_t pid_ = -1;
  int in_ = -1, out_ = -1;
  std::string buffer_;
};

}  // namespace

std::unique_ptr<AccuracyEstimator> make_estimator(const std::string& spec, double timeout_s) {
  if (spec == "proxy") return std::make_unique<ProxyEstimator>();
  if (spec.rfind("table:", 0) == 0) return std::make_unique<TableEstimator>(spec.substr(6));
  if (spec.rfind("command:", 0) == 0 && spec.size() > 8)
    return std::make_unique<CommandEstimator>(spec.substr(8), timeout_s);
  throw InputError(spec, "", "unknown accuracy estimator: give proxy, table:FILE or command:CMD");
}

}  // namespace cosim
