#include "sim/sparse_attention/mac_line_group.hpp"

#include <algorithm>

#include "sim/pe_array/pe_arith.hpp"

namespace cosim {

void MacLineGroup::start(const EnginePhase& phase) {
  phase_ = &phase;
  beats_per_entry_ = uint64_t((phase.head_dim + macs_ - 1) / macs_);
  line_.assign(size_t(lines_), Line{});
  for (Line& l : line_) {
    l.s1_products.assign(size_t(macs_), 0);
    l.row_acc.assign(size_t(phase.head_dim), 0);
  }
  edge_ = 0;
  scores_.assign(phase.mode == LineMode::Dot ? phase.scores : 0, 0);
  out_.assign(phase.mode == LineMode::Axpy ? size_t(phase.n) * size_t(phase.head_dim) : 0, 0);
  group_ = 0;
  begin_group();
  done_ = !issuing_;
}

// Skips empty groups; starts the next non-empty one.
void MacLineGroup::begin_group() {
  const EnginePhase& p = *phase_;
  issued_.assign(size_t(lines_), 0);
  for (; group_ < p.groups.size(); ++group_) {
    size_t longest = 0;
    for (const auto& q : p.groups[group_].lines) longest = std::max(longest, q.size());
    if (longest > 0) {
      issuing_ = true;
      return;
    }
  }
  issuing_ = false;
}

std::vector<size_t> MacLineGroup::granted_lines() const {
  const EngineGroup& g = phase_->groups[group_];
  std::vector<size_t> waiting;
  for (size_t li = 0; li < line_.size() && li < g.lines.size(); ++li) {
    if (issued_[li] < g.lines[li].size() * beats_per_entry_) waiting.push_back(li);
  }
  const size_t port = size_t(phase_->gather_lines);
  if (port == 0 || waiting.size() <= port) return waiting;
  auto left = [&](size_t li) { return g.lines[li].size() * beats_per_entry_ - issued_[li]; };
  std::stable_sort(waiting.begin(), waiting.end(), [&](size_t a, size_t b) { return left(a) > left(b); });
  waiting.resize(port);
  return waiting;
}

void MacLineGroup::issue(Line& line, const std::vector<EngineEntry>& queue, size_t index, int beat) {
  const EnginePhase& p = *phase_;
  const EngineEntry& e = queue[index];
  const int f0 = beat * macs_;
  const int count = std::min(macs_, p.head_dim - f0);
  line.s1_valid = true;
  line.s1_first = beat == 0;
  line.s1_last = uint64_t(beat) + 1 == beats_per_entry_;
  line.s1_row_last = line.s1_last && (index + 1 == queue.size() || queue[index + 1].row != e.row);
  line.s1_id = e.id;
  line.s1_row = e.row;
  line.s1_f0 = f0;
  line.s1_count = count;
  const int64_t* kv = &p.k[size_t(e.key) * size_t(p.head_dim) + size_t(f0)];
  if (p.mode == LineMode::Dot) {
    const int64_t* q = &p.q[size_t(e.row) * size_t(p.head_dim) + size_t(f0)];
    int64_t sum = 0;
    for (int i = 0; i < count; ++i) sum += q[i] * kv[i];
    line.s1_sum = sum;
  } else {
    const int64_t s = p.s[size_t(e.id)];
    for (int i = 0; i < count; ++i) line.s1_products[size_t(i)] = s * kv[i];
  }
}

bool MacLineGroup::step() {
  if (done_) return false;
  const EnginePhase& p = *phase_;
  // Stage 2 consumes what stage 1 registered at the previous edge.
  for (Line& l : line_) {
    if (!l.s1_valid) continue;
    if (p.mode == LineMode::Dot) {
      l.acc = reduce_to_width((l.s1_first ? 0 : l.acc) + l.s1_sum, f_.acc_bits, f_.overflow);
      if (l.s1_last) scores_[size_t(l.s1_id)] = l.acc;
      continue;
    }
    for (int i = 0; i < l.s1_count; ++i) {
      int64_t& a = l.row_acc[size_t(l.s1_f0 + i)];
      a = reduce_to_width(a + l.s1_products[size_t(i)], f_.acc_bits, f_.overflow);
    }
    if (l.s1_row_last) {
      int64_t* o = &out_[size_t(l.s1_row) * size_t(p.head_dim)];
      for (int f = 0; f < p.head_dim; ++f) {
        o[f] = reduce_to_width(o[f] + l.row_acc[size_t(f)], f_.acc_bits, f_.overflow);
        l.row_acc[size_t(f)] = 0;
      }
    }
  }
  // Stage 1: the next beat of each line's queue in the current group.
  if (issuing_) {
    const EngineGroup& g = p.groups[group_];
    for (Line& l : line_) l.s1_valid = false;
    for (size_t li : granted_lines()) {
      const uint64_t at = issued_[li]++;
      issue(line_[li], g.lines[li], size_t(at / beats_per_entry_), int(at % beats_per_entry_));
    }
    bool finished = true;
    for (size_t li = 0; li < g.lines.size() && li < line_.size(); ++li) {
      finished = finished && issued_[li] == g.lines[li].size() * beats_per_entry_;
    }
    if (finished) {
      ++group_;
      begin_group();
    }
  } else {
    for (Line& l : line_) l.s1_valid = false;
  }
  ++edge_;
  if (!issuing_) {
    bool pending = false;
    for (const Line& l : line_) pending = pending || l.s1_valid;
    done_ = !pending;
  }
  return !done_;
}

}  // namespace cosim
