// What a long run shows while it works, and what it says when it is interrupted.
//
// ProgressLine: one status line on stderr. On a terminal it is rewritten in place ('\r', at most five times
// a second); to a file or a pipe an update is a whole line, written only once `min_interval_s` have passed
// since the start or the last line (and the last update at the end, once any was written), so a log of a
// long run holds readable lines instead of a run of carriage returns, and a short run writes none.
//
// InterruptNotice: while one is alive, Ctrl-C (SIGINT) or SIGTERM ends the process at once with exit code 130
// and the one line last given to say(), e.g. how many results the journal keeps and how to resume. Finished
// work is safe because journals are flushed per record; the line is prepared in advance because a signal
// handler may only write bytes.
#pragma once

#include <chrono>
#include <string>

namespace cosim {

// The interrupt line of a run with a journal: "N WHAT are kept in OUT/journal.jsonl; to go on, ...".
std::string kept_in_journal_line(size_t kept, const std::string& what, const std::string& out);

class ProgressLine {
 public:
  explicit ProgressLine(bool enabled, double min_interval_s = 5.0);
  ~ProgressLine();
  ProgressLine(const ProgressLine&) = delete;
  ProgressLine& operator=(const ProgressLine&) = delete;

  void update(const std::string& text);
  // Ends the line (on a terminal) or writes the last update if it was held back (to a file or pipe).
  void finish();

 private:
  static constexpr double kTerminalRedrawS = 0.2;  // a terminal line is redrawn at most this often
  void write(const std::string& text);
  bool enabled_, terminal_, open_ = false;
  double min_interval_s_;
  std::chrono::steady_clock::time_point last_;
  bool wrote_any_ = false;
  std::string held_;  // an update not written yet (file or pipe, within the interval)
  size_t width_ = 0;  // of the last line drawn on a terminal, to blank what a shorter one leaves
};

class InterruptNotice {
 public:
  InterruptNotice();  // installs the handlers (the previous ones come back in the destructor)
  ~InterruptNotice();
  InterruptNotice(const InterruptNotice&) = delete;
  InterruptNotice& operator=(const InterruptNotice&) = delete;

  // The line printed (after "cosim: interrupted: ") if a signal arrives from now on.
  void say(const std::string& line);

  // While a Hold lives, a signal waits for it to end: a journal record and the line that counts it are
  // written together, so the line always tells what the journal holds.
  class Hold {
   public:
    Hold();
    ~Hold();
    Hold(const Hold&) = delete;
    Hold& operator=(const Hold&) = delete;
  };
};

}  // namespace cosim
