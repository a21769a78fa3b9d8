#include "parallel/task_dispatch.hpp"

#include <mpi.h>
#include <unistd.h>

#include <numeric>

namespace cosim {

namespace {

void send_text(int dest, int tag, const std::string& s) {
  MPI_Send(s.data(), int(s.size()), MPI_CHAR, dest, tag, MPI_COMM_WORLD);
}

std::string receive_text(const MPI_Status& probed) {
  int n = 0;
  MPI_Get_count(&probed, MPI_CHAR, &n);
  std::string s(size_t(n), '\0');
  MPI_Recv(s.data(), n, MPI_CHAR, probed.MPI_SOURCE, probed.MPI_TAG, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
  return s;
}

}  // namespace

void TaskDispatcher::run(const std::vector<nlohmann::json>& tasks,
                         const std::function<void(size_t, TaskResult)>& done) {
  const int ranks = world_.size();
  if (ranks > 1 && remote_slots_.empty()) {
    remote_slots_.assign(size_t(ranks), 0);
    for (int r = 1; r < ranks; ++r)
      MPI_Recv(&remote_slots_[size_t(r)], 1, MPI_INT, r, kTagReady, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
  }
  by_rank_.resize(size_t(ranks), 0);
  std::vector<int> outstanding(size_t(ranks), 0);
  size_t next = 0, finished = 0;
  while (finished < tasks.size()) {
    while (next < tasks.size() && local_.idle_workers() > 0) local_.submit(next, tasks[next]), ++next;
    for (int r = 1; r < ranks; ++r) {
      while (next < tasks.size() && outstanding[size_t(r)] < remote_slots_[size_t(r)]) {
        send_text(r, kTagTask, nlohmann::json{{"id", next}, {"task", tasks[next]}}.dump());
        ++outstanding[size_t(r)], ++next;
      }
    }
    bool progressed = false;
    for (TaskResult& t : local_.collect(ranks > 1 ? 1 : -1)) {
      ++finished, ++by_rank_[0], progressed = true;
      done(size_t(t.id), std::move(t));
    }
    if (ranks == 1) continue;
    int flag = 0;
    MPI_Status st;
    while ((MPI_Iprobe(MPI_ANY_SOURCE, kTagResult, MPI_COMM_WORLD, &flag, &st), flag)) {
      TaskResult t = task_result_from(nlohmann::json::parse(receive_text(st)));
      --outstanding[size_t(st.MPI_SOURCE)], ++by_rank_[size_t(st.MPI_SOURCE)];
      ++finished, progressed = true;
      done(size_t(t.id), std::move(t));
    }
    if (!progressed && local_.idle_workers() == local_.size()) ::usleep(500);
  }
}

void TaskDispatcher::serve() {
  int slots = local_.size();
  MPI_Send(&slots, 1, MPI_INT, 0, kTagReady, MPI_COMM_WORLD);
  for (;;) {
    for (const TaskResult& t : local_.collect(1)) send_text(0, kTagResult, to_json(t).dump());
    int flag = 0;
    MPI_Status st;
    MPI_Iprobe(0, MPI_ANY_TAG, MPI_COMM_WORLD, &flag, &st);
    if (!flag) {
      if (local_.idle_workers() == local_.size()) ::usleep(500);
      continue;
    }
    if (st.MPI_TAG == kTagStop) {
      MPI_Recv(nullptr, 0, MPI_CHAR, 0, kTagStop, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
      return;
    }
    const nlohmann::json m = nlohmann::json::parse(receive_text(st));
    local_.submit(m.at("id").get<uint64_t>(), m.at("task"));
  }
}

int TaskDispatcher::slots() const {
  return local_.size() + std::accumulate(remote_slots_.begin(), remote_slots_.end(), 0);
}

}  // namespace cosim
