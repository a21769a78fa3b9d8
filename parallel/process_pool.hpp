// Worker processes for evaluations: tasks (JSON) go to a worker over a pipe, results (JSON) come back.
// The workers are forked when the pool is built, so build it before anything in this process elaborates
// SystemC or starts MPI (Open MPI does not support fork after MPI_Init).
//   SharedProcess:  a worker runs every task it gets in its own process, so what the handler keeps (a model
//                   elaborated once, a mapping cache) serves all of them (cosim search: one accelerator).
//   ProcessPerTask: a worker forks a fresh process per task, since SystemC elaborates once per process and
//                   every task builds a new model (cosim sweep: one configuration per task).
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace cosim {

// Runs one task in a worker. An exception becomes the task's error text.
using TaskHandler = std::function<nlohmann::json(const nlohmann::json& task)>;

enum class TaskIsolation { SharedProcess, ProcessPerTask };

struct TaskResult {
  uint64_t id = 0;
  nlohmann::json result;  // the handler's value, when error is empty
  std::string error;      // the handler's exception text, or how its process died
  bool crashed = false;   // its process died (a signal, a failed exit): nothing says running it again fails
};

// As they travel over pipes and MPI: {"id", "result"} or {"id", "error"}.
nlohmann::json to_json(const TaskResult& t);
TaskResult task_result_from(const nlohmann::json& j);

class ProcessPool {
 public:
  ProcessPool(int workers, TaskHandler handler, TaskIsolation isolation);
  ~ProcessPool();
  ProcessPool(const ProcessPool&) = delete;
  ProcessPool& operator=(const ProcessPool&) = delete;

  int size() const { return int(workers_.size()); }
  int idle_workers() const;
  // Gives a task to an idle worker (there must be one).
  void submit(uint64_t id, const nlohmann::json& task);
  // The results that arrive within timeout_ms (-1: waits for at least one; 0: only those ready now).
  std::vector<TaskResult> collect(int timeout_ms);

 private:
  struct Worker {
    pid_t pid = -1;
    int in = -1, out = -1;
    std::string buffer;
    bool busy = false;
  };
  std::vector<Worker> workers_;
};

// Worker processes to use when the user did not say: the cores of this machine shared among the MPI ranks
// started on it (mpirun's environment tells), at least 1.
int default_worker_count();

}  // namespace cosim
