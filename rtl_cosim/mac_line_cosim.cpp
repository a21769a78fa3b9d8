#include "rtl_cosim/mac_line_cosim.hpp"

#include <random>

#include "model/engine_timing.hpp"
#include "rtl_cosim/verilated_bits.hpp"
#include "sim/pe_array/pe_arith.hpp"
#include "sim/sparse_attention/mac_line_group.hpp"

namespace cosim {

MacLineCosim::MacLineCosim(sc_core::sc_module_name name, const MacLineConfig& config, uint64_t cycles,
                           uint64_t seed)
    : sc_core::sc_module(name), config_(config), target_(cycles), seed_(seed) {
  SC_HAS_PROCESS(MacLineCosim);
  SC_THREAD(run);
}

namespace {

// A random phase for one line: dot or axpy, a head dim up to the RTL's, entries over a few rows and keys.
EnginePhase random_phase(std::mt19937_64& rng, const MacLineConfig& config) {
  const PeFormat& f = config.format;
  std::uniform_int_distribution<int64_t> val(act_min(f), act_max(f));
  EnginePhase p;
  p.mode = rng() % 2 ? LineMode::Axpy : LineMode::Dot;
  p.head_dim = int(1 + rng() % uint64_t(config.head_dim));
  p.n = 8;
  p.q.resize(size_t(p.n * p.head_dim));
  p.k.resize(size_t(p.n * p.head_dim));
  for (auto& x : p.q) x = val(rng);
  for (auto& x : p.k) x = val(rng);
  p.groups.resize(1);
  p.groups[0].lines.resize(1);
  const int entries = int(1 + rng() % 12);
  int row = 0;
  for (int e = 0; e < entries; ++e) {
    if (rng() % 3 == 0) row = int(rng() % uint64_t(p.n));  // runs of entries of one row
    p.groups[0].lines[0].push_back({row, int(rng() % uint64_t(p.n)), e});
    p.s.push_back(val(rng));
  }
  p.scores = size_t(entries);
  return p;
}

// What the line's inputs carry at `edge` of a phase (docs/sparse-attention.md): beat `edge % beats` of entry
// `edge / beats`, idle once the queue is done.
RtlMacLine::Beat beat_at(const EnginePhase& p, uint64_t edge, int beats, int macs,
                         const RtlMacLine::Beat& idle) {
  const auto& queue = p.groups[0].lines[0];
  RtlMacLine::Beat b = idle;
  b.axpy = p.mode == LineMode::Axpy;
  const size_t e = size_t(edge) / size_t(beats);
  if (e >= queue.size()) return b;
  const EngineEntry& en = queue[e];
  b.valid = true;
  b.beat = int(edge % uint64_t(beats));
  b.first = b.beat == 0;
  b.last = b.beat == beats - 1;
  b.row_last = b.last && (e + 1 == queue.size() || queue[e + 1].row != en.row);
  for (int i = 0; i < macs; ++i) {
    const int feat = b.beat * macs + i;
    if (feat >= p.head_dim) continue;
    b.a[size_t(i)] = b.axpy ? p.s[size_t(en.id)] : p.q[size_t(en.row * p.head_dim + feat)];
    b.b[size_t(i)] = p.k[size_t(en.key * p.head_dim + feat)];
  }
  return b;
}

}  // namespace

void MacLineCosim::fail(uint64_t edge, const char* signal, int col, uint64_t rtl, uint64_t model) {
  Mismatch x;
  x.cycle = result_.cycles;
  x.fold = result_.folds;
  x.edge = edge;
  x.row = 0;
  x.col = col;
  x.signal = signal;
  x.rtl = rtl;
  x.model = model;
  result_.mismatch = x;
}

// The registers of the RTL line against the model's after one edge.
void MacLineCosim::compare(uint64_t edge, const EnginePhase& p, const RtlMacLine& rtl,
                           const MacLineGroup& model) {
  const int acc_bits = config_.format.acc_bits;
  if (rtl.s1_valid() != model.line_s1_valid(0))
    fail(edge, "s1_valid", 0, rtl.s1_valid(), model.line_s1_valid(0));
  else if (p.mode == LineMode::Dot && rtl.s1_valid() && rtl.s1_sum() != uint64_t(model.line_s1_sum(0)))
    fail(edge, "s1_sum", 0, rtl.s1_sum(), uint64_t(model.line_s1_sum(0)));
  else if (p.mode == LineMode::Dot && low_bits(model.line_acc(0), acc_bits) != rtl.acc())
    fail(edge, "acc", 0, rtl.acc(), low_bits(model.line_acc(0), acc_bits));
  for (int ft = 0; ft < p.head_dim && !result_.mismatch && p.mode == LineMode::Axpy; ++ft) {
    if (rtl.row(ft) != low_bits(model.line_row_acc(0, ft), acc_bits))
      fail(edge, "row_acc", ft, rtl.row(ft), low_bits(model.line_row_acc(0, ft), acc_bits));
  }
}

// One phase in lockstep; false after a mismatch.
bool MacLineCosim::run_phase(const EnginePhase& p, RtlMacLine& rtl, MacLineGroup& model) {
  const PeFormat& f = config_.format;
  const int M = config_.macs, acc_bits = f.acc_bits;
  const auto& queue = p.groups[0].lines[0];
  const int beats = int(beats_per_entry(p.head_dim, M));
  const uint64_t edges = uint64_t(queue.size()) * uint64_t(beats) + kMacLinePipelineDrain;
  RtlMacLine::Beat idle;
  idle.a.assign(size_t(M), 0);
  idle.b.assign(size_t(M), 0);
  rtl.drive(true, idle);
  rtl.clock();
  model.start(p);
  std::vector<int64_t> out(size_t(p.n * p.head_dim), 0);
  for (uint64_t edge = 0; edge < edges && !result_.mismatch; ++edge) {
    rtl.drive(false, beat_at(p, edge, beats, M, idle));
    rtl.clock();
    model.step();
    // Axpy: a flushed row is added into the output buffer (outside the line), as the model's buffer does.
    if (rtl.flush_valid()) {
      const int r = queue[(edge - 1) / uint64_t(beats)].row;
      for (int ft = 0; ft < p.head_dim; ++ft) {
        int64_t& o = out[size_t(r * p.head_dim + ft)];
        const int64_t row_value = int64_t(rtl.flush(ft) << (64 - acc_bits)) >> (64 - acc_bits);
        o = reduce_to_width(o + row_value, acc_bits, f.overflow);
      }
    }
    compare(edge, p, rtl, model);
    ++result_.cycles;
    wait(sc_core::sc_time(2, sc_core::SC_NS));
  }
  if (result_.mismatch) return false;
  if (!model.done()) {
    fail(edges, "model still busy after the closed-form cycles", 0, 0, 0);
    return false;
  }
  if (p.mode == LineMode::Axpy && out != model.out()) {
    fail(edges, "output buffer", 0, 0, 0);
    return false;
  }
  return true;
}

void MacLineCosim::run() {
  std::mt19937_64 rng(seed_);
  auto rtl = config_.make();
  MacLineGroup model(1, config_.macs, config_.format);
  while (result_.cycles < target_ && !result_.mismatch) {
    const EnginePhase p = random_phase(rng, config_);
    if (!run_phase(p, *rtl, model)) return;
    ++result_.folds;
  }
}

}  // namespace cosim
