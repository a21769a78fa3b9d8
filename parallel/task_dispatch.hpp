// Runs a list of tasks on this process's worker pool and, under MPI, on the worker pools of the other ranks:
// rank 0 hands tasks out as slots free up (dynamic balancing) and receives every result, so it alone writes
// journals and outputs; the other ranks serve until rank 0 finishes. Results do not depend on where a task
// ran, so a run under `mpirun -np N` gives the same outputs as a serial one.
#pragma once

#include <functional>
#include <vector>

#include <nlohmann/json.hpp>

#include "parallel/mpi_world.hpp"
#include "parallel/process_pool.hpp"

namespace cosim {

class TaskDispatcher {
 public:
  TaskDispatcher(ProcessPool& local, MpiWorld& world) : local_(local), world_(world) {}

  // Rank 0: runs every task; `done(i, result)` is called for task i as results arrive (any order).
  void run(const std::vector<nlohmann::json>& tasks, const std::function<void(size_t, TaskResult)>& done);
  // Ranks > 0: runs the tasks rank 0 sends until it says stop.
  void serve();
  // Worker slots over all ranks (known on rank 0 after the first run).
  int slots() const;
  // Tasks each rank has run so far (rank 0's view).
  const std::vector<size_t>& tasks_by_rank() const { return by_rank_; }

 private:
  ProcessPool& local_;
  MpiWorld& world_;
  std::vector<int> remote_slots_;  // per rank; [0] unused
  std::vector<size_t> by_rank_;
};

}  // namespace cosim
