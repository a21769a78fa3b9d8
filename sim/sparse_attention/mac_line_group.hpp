// Level-1 model of the sparse-attention engine's MAC lines: `lines` lines of `macs` int multipliers each,
// clocked edge by edge, bit-exact (docs/sparse-attention.md). Plain C++; mac_line_group_module.hpp clocks it
// in SystemC.
//
// Work comes as groups; a group gives each line a queue of entries; lines work through their queues
// independently (waiting when the gather port serves others) and the next group starts when every line has
// finished (a barrier). An entry is one
// (query row, key) pair of head_dim elements, ceil(head_dim / macs) beats on its line.
//   Dot  (SDDMM): score = sum_f Q[row][f] * K[key][f]; stage 1 sums the beat's products (adder tree), stage 2
//                 accumulates them; the score is complete after the entry's last beat.
//   Axpy (SpMM):  out[row][f] += S(entry) * V[key][f]; stage 1 registers the beat's products, stage 2 adds
//   them
//                 into the line's row accumulators; when the line's next entry is for another row (or there
//                 is none) the row is added into the output buffer.
// Accumulators wrap or saturate at acc_bits after every beat; the output buffer add too.
#pragma once

#include <cstdint>
#include <vector>

#include "spec/op_types.hpp"

namespace cosim {

enum class LineMode { Dot, Axpy };

struct EngineEntry {
  int row = 0, key = 0;
  int id = 0;  // Dot: index of the score it produces; Axpy: index of its probability in EnginePhase::s
};

struct EngineGroup {
  std::vector<std::vector<EngineEntry>> lines;  // one queue per line (may be shorter than the line count)
};

struct EnginePhase {
  LineMode mode = LineMode::Dot;
  int head_dim = 0;
  int n = 0;
  size_t scores = 0;  // Dot: number of scores (ids are 0 .. scores-1)
  std::vector<EngineGroup> groups;
  std::vector<int64_t> q;  // N x head_dim (Dot)
  std::vector<int64_t> k;  // N x head_dim (Dot: keys; Axpy: values V)
  std::vector<int64_t> s;  // Axpy: probabilities, by entry id
  // Line-beats the gather port serves per edge (model/engine_timing.hpp): when more lines have beats left,
  // the ones with the most left issue (ties: lower line first) and the others wait. 0: every line, every
  // edge.
  int gather_lines = 0;
};

class MacLineGroup {
 public:
  MacLineGroup(int lines, int macs, const PeFormat& f) : lines_(lines), macs_(macs), f_(f) {}

  void start(const EnginePhase& phase);
  bool step();  // one rising edge; false once the phase has finished
  bool done() const { return done_; }
  uint64_t cycles() const { return edge_; }
  const std::vector<int64_t>& scores() const { return scores_; }  // Dot, by id
  const std::vector<int64_t>& out() const { return out_; }        // Axpy, N x head_dim

  // Registers of line `l` after the last edge, for cycle-by-cycle comparison with the RTL line.
  bool line_s1_valid(int l) const { return line_[size_t(l)].s1_valid; }
  int64_t line_s1_sum(int l) const { return line_[size_t(l)].s1_sum; }
  int64_t line_acc(int l) const { return line_[size_t(l)].acc; }
  int64_t line_row_acc(int l, int f) const { return line_[size_t(l)].row_acc[size_t(f)]; }

 private:
  struct Line {
    bool s1_valid = false, s1_first = false, s1_last = false, s1_row_last = false;
    int64_t s1_sum = 0;
    std::vector<int64_t> s1_products;
    int s1_row = 0, s1_f0 = 0, s1_count = 0, s1_id = 0;
    int64_t acc = 0;               // Dot accumulator
    std::vector<int64_t> row_acc;  // Axpy row accumulators (head_dim)
  };
  void begin_group();
  void issue(Line& line, const std::vector<EngineEntry>& queue, size_t index, int beat);
  std::vector<size_t> granted_lines() const;  // lines that issue a beat at this edge

  int lines_, macs_;
  PeFormat f_;
  const EnginePhase* phase_ = nullptr;
  std::vector<Line> line_;
  size_t group_ = 0;
  std::vector<uint64_t> issued_;  // beats each line has issued in the current group
  uint64_t beats_per_entry_ = 1;
  uint64_t edge_ = 0;
  bool issuing_ = false, done_ = false;
  std::vector<int64_t> scores_, out_;
};

}  // namespace cosim
