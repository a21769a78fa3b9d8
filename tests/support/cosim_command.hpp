// Running the cosim binary as a user does, from the source directory, for the CLI tests.
// Needs COSIM_SOURCE_DIR and COSIM_BINARY (tests/cli/CMakeLists.txt).
#pragma once

#include <gtest/gtest.h>

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <sstream>
#include <string>
#include <thread>

namespace cosim::test {

struct CommandResult {
  int code;
  std::string out, err;
};

inline std::string slurp(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

inline size_t lines_of(const std::string& file) {
  const std::string s = slurp(file);
  return size_t(std::count(s.begin(), s.end(), '\n'));
}

// A path in the test's temporary directory, unique to this process.
inline std::string temp_path(const std::string& name) {
  return testing::TempDir() + "cosim_" + std::to_string(::getpid()) + "_" + name;
}

inline std::string command_line(const std::string& args) {
  return std::string("cd '") + COSIM_SOURCE_DIR + "' && '" + COSIM_BINARY + "' " + args;
}

// Runs `cosim ARGS` (shell words), optionally behind a prefix such as "mpirun -np 3".
inline CommandResult run_cosim(const std::string& args, const std::string& prefix = "") {
  static int n = 0;
  const std::string base = temp_path("cmd" + std::to_string(n++));
  const std::string cmd = std::string("cd '") + COSIM_SOURCE_DIR + "' && " + prefix + " '" + COSIM_BINARY +
                          "' " + args + " >'" + base + ".out' 2>'" + base + ".err'";
  const int status = std::system(cmd.c_str());
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, slurp(base + ".out"), slurp(base + ".err")};
}

// Lines cosim itself wrote to stderr (a sanitizer build's workers add runtime notes of their own).
// How often `what` occurs in `text`.
inline size_t count_of(const std::string& text, const std::string& what) {
  size_t n = 0;
  for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + what.size())) ++n;
  return n;
}

inline int cosim_lines(const std::string& err) {
  std::stringstream s(err);
  std::string line;
  int n = 0;
  while (std::getline(s, line)) n += line.rfind("cosim:", 0) == 0;
  return n;
}

// Starts `cosim ARGS` in its own process group, waits until `ready()` or 60 s, then sends `signal` to the
// whole group: SIGKILL as a user's kill -9 or a lost machine would, SIGINT as Ctrl-C on a terminal does.
// Returns the exit code (128 + the signal when it was killed by it) and what it wrote to stderr.
inline CommandResult run_cosim_and_signal(const std::string& args, const std::function<bool()>& ready,
                                          int signal) {
  static int n = 0;
  const std::string err = temp_path("signal" + std::to_string(n++) + ".err");
  const std::string cmd = std::string("cd '") + COSIM_SOURCE_DIR + "' && exec '" + COSIM_BINARY + "' " +
                          args + " >/dev/null 2>'" + err + "'";
  const pid_t pid = ::fork();
  if (pid == 0) {
    ::setpgid(0, 0);
    ::execl("/bin/sh", "sh", "-c", cmd.c_str(), static_cast<char*>(nullptr));
    ::_exit(127);
  }
  ::setpgid(pid, pid);  // also here: the signal must reach the group even if the child has not run yet
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (!ready() && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  ::kill(-pid, signal);
  int status = 0;
  ::waitpid(pid, &status, 0);
  return {WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status), "", slurp(err)};
}

inline void run_cosim_and_kill(const std::string& args, const std::function<bool()>& ready) {
  run_cosim_and_signal(args, ready, SIGKILL);
}

}  // namespace cosim::test
