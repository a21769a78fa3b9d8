#include "parallel/process_pool.hpp"

#include "parallel/pipe_io.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <initializer_list>
#include <stdexcept>
#include <thread>

namespace cosim {

namespace {

std::string run_task(const TaskHandler& handler, const nlohmann::json& request) {
  nlohmann::json reply = {{"id", request.at("id")}};
  try {
    reply["result"] = handler(request.at("task"));
  } catch (const std::exception& e) {
    reply["error"] = e.what();
  }
  return reply.dump() + "\n";
}

// One request line in, one reply line out, until the input closes.
[[noreturn]] void worker_main(int in, int out, const TaskHandler& handler, TaskIsolation isolation) {
  FILE* f = ::fdopen(in, "r");
  char* line = nullptr;
  size_t cap = 0;
  while (::getline(&line, &cap, f) > 0) {
    const nlohmann::json request = nlohmann::json::parse(line);
    if (isolation == TaskIsolation::SharedProcess) {
      if (!write_all(out, run_task(handler, request))) break;
      continue;
    }
    std::fflush(nullptr);
    const pid_t child = ::fork();
    if (child == 0) {
      write_all(out, run_task(handler, request));
      std::_Exit(0);
    }
    int status = 0;
    if (child < 0 || ::waitpid(child, &status, 0) < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
      const std::string why = child < 0 ? "could not fork a process for it"
                              : WIFSIGNALED(status)
                                  ? std::string("its process died of signal ") + ::strsignal(WTERMSIG(status))
                                  : "its process failed";
      const nlohmann::json reply = {{"id", request.at("id")}, {"error", why}, {"crashed", true}};
      if (!write_all(out, reply.dump() + "\n")) break;
    }
  }
  std::_Exit(0);
}

}  // namespace

ProcessPool::ProcessPool(int workers, TaskHandler handler, TaskIsolation isolation) {
  ::signal(SIGPIPE, SIG_IGN);
  for (int i = 0; i < std::max(1, workers); ++i) {
    int to[2], from[2];
    if (::pipe2(to, O_CLOEXEC) || ::pipe2(from, O_CLOEXEC))
      throw std::runtime_error("cannot create pipes for worker processes");
    std::fflush(nullptr);
    const pid_t pid = ::fork();
    if (pid < 0) throw std::runtime_error("cannot fork a worker process");
    if (pid == 0) {
      // Keep only its own two pipe ends: a worker holding another worker's input open would keep that one
      // from ever seeing the end of its input (and the pool's destructor waiting).
      const unsigned lo = unsigned(std::min(to[0], from[1])), hi = unsigned(std::max(to[0], from[1]));
      ::close_range(3, lo - 1, 0);
      ::close_range(lo + 1, hi - 1, 0);
      ::close_range(hi + 1, ~0U, 0);
      worker_main(to[0], from[1], handler, isolation);
    }
    ::close(to[0]), ::close(from[1]);
    workers_.push_back({pid, to[1], from[0], {}, false});
  }
}

ProcessPool::~ProcessPool() {
  for (Worker& w : workers_) ::close(w.in);
  for (Worker& w : workers_) {
    ::close(w.out);
    ::waitpid(w.pid, nullptr, 0);
  }
}

int ProcessPool::idle_workers() const {
  return int(std::count_if(workers_.begin(), workers_.end(), [](const Worker& w) { return !w.busy; }));
}

void ProcessPool::submit(uint64_t id, const nlohmann::json& task) {
  auto w = std::find_if(workers_.begin(), workers_.end(), [](const Worker& x) { return !x.busy; });
  if (w == workers_.end()) throw std::logic_error("ProcessPool::submit with every worker busy");
  if (!write_all(w->in, nlohmann::json{{"id", id}, {"task", task}}.dump() + "\n"))
    throw std::runtime_error("a worker process stopped reading its tasks");
  w->busy = true;
}

std::vector<TaskResult> ProcessPool::collect(int timeout_ms) {
  std::vector<TaskResult> results;
  std::vector<pollfd> fds;
  std::vector<size_t> index;
  for (size_t i = 0; i < workers_.size(); ++i) {
    if (workers_[i].busy) fds.push_back({workers_[i].out, POLLIN, 0}), index.push_back(i);
  }
  if (fds.empty()) return results;
  int ready;
  while ((ready = ::poll(fds.data(), fds.size(), timeout_ms)) < 0) {
    if (errno != EINTR) throw std::runtime_error("poll on worker processes failed");
  }
  for (size_t k = 0; k < fds.size(); ++k) {
    if (!(fds[k].revents & (POLLIN | POLLHUP | POLLERR))) continue;
    Worker& w = workers_[index[k]];
    char buf[65536];
    const ssize_t n = ::read(w.out, buf, sizeof buf);
    if (n <= 0) throw std::runtime_error("a worker process died");
    w.buffer.append(buf, size_t(n));
    size_t nl;
    while ((nl = w.buffer.find('\n')) != std::string::npos) {
      results.push_back(task_result_from(nlohmann::json::parse(w.buffer.substr(0, nl))));
      w.buffer.erase(0, nl + 1);
      w.busy = false;
    }
  }
  return results;
}

nlohmann::json to_json(const TaskResult& t) {
  nlohmann::json j = {{"id", t.id}};
  if (t.error.empty()) {
    j["result"] = t.result;
  } else {
    j["error"] = t.error;
    if (t.crashed) j["crashed"] = true;
  }
  return j;
}

TaskResult task_result_from(const nlohmann::json& j) {
  TaskResult t;
  t.id = j.at("id").get<uint64_t>();
  if (j.contains("error")) {
    t.error = j["error"].get<std::string>();
    t.crashed = j.value("crashed", false);
  } else {
    t.result = j.at("result");
  }
  return t;
}

int default_worker_count() {
  const int cores = int(std::max(1u, std::thread::hardware_concurrency()));
  int ranks_here = 1;
  for (const char* var : {"OMPI_COMM_WORLD_LOCAL_SIZE", "MPI_LOCALNRANKS"}) {
    if (const char* v = std::getenv(var)) ranks_here = std::max(1, std::atoi(v));
  }
  return std::max(1, cores / ranks_here);
}

}  // namespace cosim
