#include "results/gnuplot.hpp"

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <fstream>
#include <iostream>

namespace cosim {

namespace {

// Runs `gnuplot SCRIPT` with DIR as its working directory and stderr into LOG; true when it exits 0.
bool run_gnuplot_in(const std::string& dir, const std::string& script, const std::string& log) {
  const pid_t pid = fork();
  if (pid < 0) return false;
  if (pid == 0) {
    const int fd = open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    const int null = open("/dev/null", O_RDWR);
    if (fd < 0 || null < 0 || chdir(dir.c_str()) != 0) _exit(127);
    dup2(null, STDIN_FILENO);
    dup2(null, STDOUT_FILENO);
    dup2(fd, STDERR_FILENO);
    execlp("gnuplot", "gnuplot", script.c_str(), static_cast<char*>(nullptr));
    _exit(127);
  }
  int status = 0;
  while (waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) return false;
  }
  return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

}  // namespace

bool draw_with_gnuplot(const std::string& dir, const std::string& name, const std::string& script) {
  const std::string gp = name + ".gp", log = dir + "/gnuplot.log";
  std::ofstream(dir + "/" + gp) << script;
  if (run_gnuplot_in(dir, gp, log)) return true;
  std::cerr << "cosim: warning: gnuplot failed (see " << log << "); the data files are complete\n";
  return false;
}

std::string gnuplot_quoted(const std::string& text) {
  std::string q = "\"";
  for (char ch : text) {
    if (ch == '\n') {
      q += "\\n";
    } else {
      if (ch == '"' || ch == '\\') q += '\\';
      q += ch;
    }
  }
  return q + "\"";
}

}  // namespace cosim
