#include "results/progress.hpp"

#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cstring>
#include <iostream>

namespace cosim {

std::string kept_in_journal_line(size_t kept, const std::string& what, const std::string& out) {
  return std::to_string(kept) + " " + what + " are kept in " + out +
         "/journal.jsonl; to go on, run the same command with --resume --out " + out;
}

ProgressLine::ProgressLine(bool enabled, double min_interval_s)
    : enabled_(enabled),
      terminal_(::isatty(STDERR_FILENO) == 1),
      min_interval_s_(min_interval_s),
      last_(std::chrono::steady_clock::now()) {}

ProgressLine::~ProgressLine() {
  finish();
}

void ProgressLine::update(const std::string& text) {
  if (!enabled_) return;
  const auto now = std::chrono::steady_clock::now();
  const double since = std::chrono::duration<double>(now - last_).count();
  if (since < (terminal_ ? kTerminalRedrawS : min_interval_s_)) {
    held_ = text;
    return;
  }
  write(text);
  last_ = now;
}

void ProgressLine::write(const std::string& text) {
  if (terminal_) {
    std::cerr << '\r' << text << std::string(width_ > text.size() ? width_ - text.size() : 0, ' ')
              << std::flush;
    width_ = text.size();
    open_ = true;
  } else {
    std::cerr << text << '\n' << std::flush;
    wrote_any_ = true;
  }
  held_.clear();
}

void ProgressLine::finish() {
  if (!enabled_) return;
  if (!held_.empty() && (terminal_ || wrote_any_)) write(held_);
  if (open_) std::cerr << '\n' << std::flush;
  open_ = false;
  held_.clear();
}

namespace {

// Two buffers: say() fills the one the handler is not reading, then publishes it.
constexpr size_t kNoticeBytes = 4096;
std::array<std::array<char, kNoticeBytes>, 2> notice_buffers;
std::array<size_t, 2> notice_lengths{};
std::atomic<int> notice_current{-1};
pid_t notice_owner = 0;  // processes forked from it (workers) end without a word
struct sigaction previous_int, previous_term;
std::atomic<bool> notice_held{false}, notice_pending{false};

// Only what a signal handler may do: write bytes, end the process.
void say_interrupted_and_exit() {
  const int i = notice_current.load();
  static const char kPrefix[] = "\ncosim: interrupted: ";
  ssize_t ignored = ::write(STDERR_FILENO, kPrefix, sizeof kPrefix - 1);
  if (i >= 0) ignored = ::write(STDERR_FILENO, notice_buffers[size_t(i)].data(), notice_lengths[size_t(i)]);
  (void)ignored;
  ::_exit(130);
}

extern "C" void on_interrupt(int) {
  if (::getpid() != notice_owner) ::_exit(130);
  if (notice_held.load()) {
    notice_pending.store(true);
    return;
  }
  say_interrupted_and_exit();
}

}  // namespace

InterruptNotice::InterruptNotice() {
  notice_owner = ::getpid();
  struct sigaction action {};
  action.sa_handler = on_interrupt;
  sigemptyset(&action.sa_mask);
  sigaction(SIGINT, &action, &previous_int);
  sigaction(SIGTERM, &action, &previous_term);
}

InterruptNotice::~InterruptNotice() {
  sigaction(SIGINT, &previous_int, nullptr);
  sigaction(SIGTERM, &previous_term, nullptr);
  notice_current.store(-1);
}

InterruptNotice::Hold::Hold() {
  notice_held.store(true);
}

InterruptNotice::Hold::~Hold() {
  notice_held.store(false);
  if (notice_pending.load()) say_interrupted_and_exit();
}

void InterruptNotice::say(const std::string& line) {
  const int next = notice_current.load() == 0 ? 1 : 0;
  const size_t n = std::min(line.size(), kNoticeBytes - 1);
  std::memcpy(notice_buffers[size_t(next)].data(), line.data(), n);
  notice_buffers[size_t(next)][n] = '\n';
  notice_lengths[size_t(next)] = n + 1;
  notice_current.store(next);
}

}  // namespace cosim
