// The worker pool under search and sweep: every task's result comes back under its id, a handler's exception
// is that task's error, a task whose process dies is reported as crashed (not lost, not hanging), and
// ProcessPerTask really gives each task a fresh process while SharedProcess keeps one.
#include <gtest/gtest.h>

#include <signal.h>
#include <unistd.h>

#include <map>
#include <set>
#include <stdexcept>

#include "parallel/process_pool.hpp"

namespace cosim {
namespace {

// Runs tasks 0..n-1 on the pool and returns their results by id.
std::map<uint64_t, TaskResult> run_all(ProcessPool& pool, const std::vector<nlohmann::json>& tasks) {
  std::map<uint64_t, TaskResult> out;
  size_t next = 0;
  while (out.size() < tasks.size()) {
    while (next < tasks.size() && pool.idle_workers() > 0) pool.submit(next, tasks[next]), ++next;
    for (TaskResult& r : pool.collect(-1)) {
      EXPECT_EQ(out.count(r.id), 0u) << "one result per task";
      out[r.id] = std::move(r);
    }
  }
  return out;
}

nlohmann::json pid_and_square(const nlohmann::json& task) {
  const std::string what = task.at("do").get<std::string>();
  if (what == "throw") throw std::runtime_error("refused: " + task.dump());
  if (what == "kill") ::raise(SIGKILL);
  if (what == "exit") std::_Exit(3);
  static int calls = 0;  // per process
  ++calls;
  const int x = task.at("x").get<int>();
  return {{"square", x * x}, {"pid", ::getpid()}, {"calls", calls}};
}

TEST(ProcessPool, ResultsComeBackUnderTheirIdsAndErrorsStayWithTheirTask) {
  ProcessPool pool(2, pid_and_square, TaskIsolation::ProcessPerTask);
  std::vector<nlohmann::json> tasks;
  for (int i = 0; i < 12; ++i) {
    const char* what = i == 3 ? "throw" : i == 5 ? "kill" : i == 8 ? "exit" : "square";
    tasks.push_back({{"do", what}, {"x", i}});
  }
  const auto results = run_all(pool, tasks);
  ASSERT_EQ(results.size(), 12u);
  for (int i = 0; i < 12; ++i) {
    const TaskResult& r = results.at(uint64_t(i));
    if (i == 3) {
      EXPECT_NE(r.error.find("refused"), std::string::npos);
      EXPECT_FALSE(r.crashed);
    } else if (i == 5) {
      EXPECT_NE(r.error.find("died of signal"), std::string::npos) << r.error;
      EXPECT_TRUE(r.crashed);
    } else if (i == 8) {
      EXPECT_EQ(r.error, "its process failed");
      EXPECT_TRUE(r.crashed);
    } else {
      ASSERT_TRUE(r.error.empty()) << r.error;
      EXPECT_EQ(r.result["square"], i * i);
    }
  }
}

TEST(ProcessPool, ProcessPerTaskGivesEveryTaskAFreshProcessSharedProcessKeepsOne) {
  std::vector<nlohmann::json> tasks;
  for (int i = 0; i < 6; ++i) tasks.push_back({{"do", "square"}, {"x", i}});
  std::set<int> pids;
  {
    ProcessPool fresh(1, pid_and_square, TaskIsolation::ProcessPerTask);
    for (const auto& [id, r] : run_all(fresh, tasks)) {
      pids.insert(r.result["pid"].get<int>());
      EXPECT_EQ(r.result["calls"], 1) << "nothing left over from an earlier task";
    }
  }
  EXPECT_EQ(pids.size(), 6u);
  pids.clear();
  ProcessPool shared(1, pid_and_square, TaskIsolation::SharedProcess);
  int max_calls = 0;
  for (const auto& [id, r] : run_all(shared, tasks)) {
    pids.insert(r.result["pid"].get<int>());
    max_calls = std::max(max_calls, r.result["calls"].get<int>());
  }
  EXPECT_EQ(pids.size(), 1u);
  EXPECT_EQ(max_calls, 6);
}

TEST(ProcessPool, TaskResultsSurviveTheirEncoding) {
  TaskResult ok{7, {{"a", 1}}, "", false}, bad{8, {}, "its process died of signal Killed", true};
  const TaskResult ok2 = task_result_from(to_json(ok)), bad2 = task_result_from(to_json(bad));
  EXPECT_EQ(ok2.id, 7u);
  EXPECT_EQ(ok2.result, ok.result);
  EXPECT_TRUE(ok2.error.empty());
  EXPECT_EQ(bad2.error, bad.error);
  EXPECT_TRUE(bad2.crashed);
}

}  // namespace
}  // namespace cosim
