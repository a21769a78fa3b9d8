#include "rtl_cosim/pe_array_cosim.hpp"

#include <algorithm>
#include <random>

#include "model/fold_timing.hpp"
#include "rtl_cosim/verilated_bits.hpp"
#include "sim/pe_array/pe_arith.hpp"

namespace cosim {

namespace {

PeFormat model_format(const RtlConfig& c, ModelFault fault) {
  PeFormat f = c.format;
  if (fault == ModelFault::NarrowAccumulator) f.acc_bits -= 1;
  return f;
}

// RTL encodings (pe_pkg.sv): mode 0 OS, 1 WS, 2 IS; phase 0 run, 1 preload, 2 drain.
int mode_of(Dataflow d) {
  return d == Dataflow::OutputStationary ? 0 : d == Dataflow::WeightStationary ? 1 : 2;
}

}  // namespace

PeArrayCosim::PeArrayCosim(sc_core::sc_module_name name, const RtlConfig& config, uint64_t cycles,
                           uint64_t seed, ModelFault fault)
    : sc_core::sc_module(name),
      config_(config),
      target_cycles_(cycles),
      seed_(seed),
      fault_(fault),
      rtl_(config.make()),
      model_(config.op, config.rows, config.cols, model_format(config, fault)),
      pipelined_model_(config.op, config.rows, config.cols, model_format(config, fault)) {
  SC_HAS_PROCESS(PeArrayCosim);
  SC_THREAD(run);
}

void PeArrayCosim::drive(const FoldInput& f, Dataflow d, uint64_t edge) {
  const PeFormat& fmt = config_.format;
  const int64_t t = int64_t(edge);
  const int act = fmt.act_bits, wgt = fmt.weight_bits;
  for (int i = 0; i < config_.rows; ++i) rtl_->set_h(i, 0, false);
  for (int j = 0; j < config_.cols; ++j) rtl_->set_v(j, 0, false);
  // The output ports read the fold's bottom row: OS row m-1 while it drains, WS/IS row k-1.
  for (int j = 0; j < config_.cols; ++j)
    rtl_->set_tap(j, int(d == Dataflow::OutputStationary ? f.m - 1 : f.k - 1));
  if (d == Dataflow::OutputStationary) {
    const bool run = t < f.k + f.m + f.n - 2;
    rtl_->set_control(false, 0, run ? 0 : 2, int(f.m));
    if (!run) return;
    for (int64_t i = 0; i < f.m; ++i) {
      const int64_t k = t - i;
      if (k >= 0 && k < f.k) rtl_->set_h(int(i), low_bits(f.a[size_t(i * f.k + k)], act), true);
    }
    for (int64_t j = 0; j < f.n; ++j) {
      const int64_t k = t - j;
      if (k >= 0 && k < f.k) rtl_->set_v(int(j), low_bits(f.w[size_t(k * f.n + j)], wgt), true);
    }
    return;
  }
  const bool ws = d == Dataflow::WeightStationary;
  if (t < f.k) {  // preload: row K-1-t of the stationary operand enters at the top
    rtl_->set_control(false, mode_of(d), 1, 0);
    const int64_t r = f.k - 1 - t;
    const int64_t cols = ws ? f.n : f.m;
    for (int64_t j = 0; j < cols; ++j) {
      const uint64_t bits =
          ws ? low_bits(f.w[size_t(r * f.n + j)], wgt) : low_bits(f.a[size_t(j * f.k + r)], act);
      rtl_->set_v(int(j), bits, true);
    }
    return;
  }
  rtl_->set_control(false, mode_of(d), 0, 0);
  const int64_t s = t - f.k, stream = ws ? f.m : f.n;
  for (int64_t i = 0; i < f.k; ++i) {
    const int64_t e = s - i;
    if (e < 0 || e >= stream) continue;
    const uint64_t bits =
        ws ? low_bits(f.a[size_t(e * f.k + i)], act) : low_bits(f.w[size_t(i * f.n + e)], wgt);
    rtl_->set_h(int(i), bits, true);
  }
}

bool PeArrayCosim::compare(Dataflow d, const FoldInput& f, uint64_t fold_index, uint64_t edge) {
  const PeFormat& fmt = config_.format;
  const SpatialMap s = spatial_map(d, f.m, f.k, f.n);
  const int h_bits = d == Dataflow::InputStationary ? fmt.weight_bits : fmt.act_bits;
  const int stat_bits = d == Dataflow::InputStationary ? fmt.act_bits : fmt.weight_bits;
  for (int r = 0; r < int(s.rows_dim); ++r) {
    for (int c = 0; c < int(s.cols_dim); ++c) {
      struct Field {
        const char* name;
        uint64_t rtl, model;
      };
      const Field fields[] = {
          {"sum", rtl_->sum(r, c), low_bits(model_.pe_sum(r, c), fmt.acc_bits)},
          {"sum_valid", rtl_->sum_valid(r, c), model_.pe_sum_valid(r, c)},
          {"h", rtl_->h(r, c), low_bits(model_.pe_h(r, c), h_bits)},
          {"h_valid", rtl_->h_valid(r, c), model_.pe_h_valid(r, c)},
          {"v", d == Dataflow::OutputStationary ? rtl_->v(r, c) : 0,
           d == Dataflow::OutputStationary ? low_bits(model_.pe_v(r, c), fmt.weight_bits) : 0},
          {"v_valid", uint64_t(d == Dataflow::OutputStationary && rtl_->v_valid(r, c)),
           uint64_t(d == Dataflow::OutputStationary && model_.pe_v_valid(r, c))},
          {"stationary", d == Dataflow::OutputStationary ? 0 : rtl_->stat(r, c),
           d == Dataflow::OutputStationary ? 0 : low_bits(model_.pe_stationary(r, c), stat_bits)},
      };
      for (const Field& x : fields)
        if (x.rtl != x.model)
          return fail(edge, r, c, std::string(x.name) + " (" + to_string(d) + ")", x.rtl, x.model);
    }
  }
  (void)fold_index;
  return true;
}

bool PeArrayCosim::fail(uint64_t edge, int row, int col, const std::string& signal, uint64_t rtl,
                        uint64_t model) {
  Mismatch m;
  m.cycle = result_.cycles;
  m.fold = result_.folds;
  m.edge = edge;
  m.row = row;
  m.col = col;
  m.signal = signal;
  m.rtl = rtl;
  m.model = model;
  result_.mismatch = m;
  return false;
}

// A fold's results as the RTL's output ports give them, at the edges the protocol says they leave: OS row
// m-1-d on drain edge d (read before that edge shifts them), WS/IS result e of column j after edge
// 2k-1+e+j (out[e][j] for WS, out[j][e] for IS). A scheduled result whose port is not valid is a mismatch.
bool PeArrayCosim::collect_outputs(Dataflow d, const FoldInput& f, uint64_t edge, bool before_edge) {
  const int64_t t = int64_t(edge);
  if (d == Dataflow::OutputStationary) {
    const int64_t drain = t - (f.k + f.m + f.n - 2);
    if (!before_edge || drain < 0) return true;
    rtl_->eval();
    for (int64_t j = 0; j < f.n; ++j) {
      if (!rtl_->out_valid(int(j))) return fail(edge, int(f.m - 1), int(j), "out_valid (port)", 0, 1);
      rtl_outputs_[size_t((f.m - 1 - drain) * f.n + j)] = int64_t(rtl_->out(int(j)));
      ++rtl_collected_;
    }
    return true;
  }
  if (before_edge) return true;
  const bool ws = d == Dataflow::WeightStationary;
  const int64_t cols = ws ? f.n : f.m, stream = ws ? f.m : f.n;
  for (int64_t j = 0; j < cols; ++j) {
    const int64_t e = t - (2 * f.k - 1) - j;
    if (e < 0 || e >= stream) continue;
    if (!rtl_->out_valid(int(j))) return fail(edge, int(f.k - 1), int(j), "out_valid (port)", 0, 1);
    rtl_outputs_[size_t(ws ? e * f.n + j : j * f.n + e)] = int64_t(rtl_->out(int(j)));
    ++rtl_collected_;
  }
  return true;
}

FoldInput PeArrayCosim::random_operands(std::mt19937_64& rng, int64_t m, int64_t k, int64_t n) const {
  const PeFormat& fmt = config_.format;
  std::uniform_int_distribution<int64_t> act(act_min(fmt), act_max(fmt));
  std::uniform_int_distribution<int64_t> wgt(weight_min(config_.op, fmt), weight_max(config_.op, fmt));
  FoldInput f;
  f.m = m, f.k = k, f.n = n;
  for (int64_t i = 0; i < m * k; ++i) f.a.push_back(act(rng));
  for (int64_t i = 0; i < k * n; ++i) f.w.push_back(wgt(rng));
  return f;
}

// One fold without pipelining: reset, drive, clock, compare every used PE's registers each edge, and the
// results the RTL's ports gave against the model's at the end.
bool PeArrayCosim::run_fold(std::mt19937_64& rng) {
  const sc_core::sc_time period(2, sc_core::SC_NS);
  const Dataflow d = Dataflow(rng() % 3);
  std::uniform_int_distribution<int64_t> rows(1, config_.rows), cols(1, config_.cols),
      stream(1, 2 * std::max(config_.rows, config_.cols));
  const int64_t r = rows(rng), c = cols(rng), s = stream(rng);
  int64_t m = r, k = s, n = c;
  if (d == Dataflow::WeightStationary) k = r, n = c, m = s;
  if (d == Dataflow::InputStationary) k = r, m = c, n = s;
  const FoldInput f = random_operands(rng, m, k, n);
  rtl_->set_control(true, mode_of(d), 0, 0);  // one reset edge between folds, not compared
  rtl_->clock();
  model_.start(d, f);
  rtl_outputs_.assign(size_t(m * n), 0);
  rtl_collected_ = 0;
  const uint64_t edges = fold_cycles(d, f.m, f.k, f.n);
  for (uint64_t e = 0; e < edges; ++e) {
    drive(f, d, e);
    if (!collect_outputs(d, f, e, true)) return false;
    rtl_->clock();
    if (!(fault_ == ModelFault::OneCycleLate && e == 0)) model_.step();
    const bool same = compare(d, f, result_.folds, e) && collect_outputs(d, f, e, false);
    ++result_.cycles;
    wait(period);
    if (!same) return false;
  }
  const std::vector<int64_t>& expected = model_.outputs();
  if (rtl_collected_ != expected.size())
    return fail(edges, 0, 0, "results (port count)", rtl_collected_, expected.size());
  for (size_t i = 0; i < expected.size(); ++i) {
    const uint64_t want = low_bits(expected[i], config_.format.acc_bits);
    if (uint64_t(rtl_outputs_[i]) != want)
      return fail(edges, int(i / size_t(n)), int(i % size_t(n)), "result (port)", uint64_t(rtl_outputs_[i]),
                  want);
  }
  ++result_.folds_by_dataflow[int(d)];
  return true;
}

// Every register of every PE, used by the tile or not (a pipelined array is compared whole), and the ports.
bool PeArrayCosim::compare_pipelined(Dataflow d, uint64_t edge) {
  const PeFormat& fmt = config_.format;
  const PipelinedArray& m = pipelined_model_;
  const bool os = d == Dataflow::OutputStationary;
  const int h_bits = d == Dataflow::InputStationary ? fmt.weight_bits : fmt.act_bits;
  const int stat_bits = d == Dataflow::InputStationary ? fmt.act_bits : fmt.weight_bits;
  const std::string tag = " (" + std::string(to_string(d)) + ", pipelined)";
  for (int r = 0; r < config_.rows; ++r) {
    for (int c = 0; c < config_.cols; ++c) {
      struct Field {
        const char* name;
        uint64_t rtl, model;
      };
      const Field fields[] = {
          {"sum", rtl_->sum(r, c), low_bits(m.pe_sum(r, c), fmt.acc_bits)},
          {"sum_valid", uint64_t(!os && rtl_->sum_valid(r, c)), uint64_t(!os && m.pe_sum_valid(r, c))},
          {"h", rtl_->h(r, c), low_bits(m.pe_h(r, c), h_bits)},
          {"h_valid", rtl_->h_valid(r, c), m.pe_h_valid(r, c)},
          {"h_mark", rtl_->h_mark(r, c), m.pe_h_mark(r, c)},
          {"v", os ? rtl_->v(r, c) : 0, os ? low_bits(m.pe_v(r, c), fmt.weight_bits) : 0},
          {"v_valid", uint64_t(os && rtl_->v_valid(r, c)), uint64_t(os && m.pe_v_valid(r, c))},
          {"stationary", os ? 0 : rtl_->stat(r, c), os ? 0 : low_bits(m.pe_stationary(r, c), stat_bits)},
          {"shadow", os ? 0 : rtl_->shadow(r, c), os ? 0 : low_bits(m.pe_shadow(r, c), stat_bits)},
          {"drain", os ? rtl_->drain(r, c) : 0, os ? low_bits(m.pe_shadow(r, c), fmt.acc_bits) : 0},
          {"drain_valid", uint64_t(os && rtl_->drain_valid(r, c)), uint64_t(os && m.pe_shadow_valid(r, c))},
      };
      for (const Field& x : fields)
        if (x.rtl != x.model) return fail(edge, r, c, x.name + tag, x.rtl, x.model);
    }
  }
  return true;
}

// A tile larger than the array, its folds pipelined: the controller drives the RTL and the whole-array model
// alike; every register and port is compared each edge, and the results are collected from the RTL's ports
// at the edges the schedule names (a scheduled result the RTL does not show is a mismatch).
bool PeArrayCosim::run_pipelined_tile(std::mt19937_64& rng) {
  const sc_core::sc_time period(2, sc_core::SC_NS);
  const Dataflow d = Dataflow(rng() % 3);
  std::uniform_int_distribution<int64_t> rows(1, 2 * config_.rows + 1), cols(1, 2 * config_.cols + 1),
      stream(1, 2 * std::max(config_.rows, config_.cols));
  const int64_t r = rows(rng), c = cols(rng), s = stream(rng);
  int64_t m = r, k = s, n = c;
  if (d == Dataflow::WeightStationary) k = r, n = c, m = s;
  if (d == Dataflow::InputStationary) k = r, m = c, n = s;
  PipelinedTile tile(d, config_.rows, config_.cols, random_operands(rng, m, k, n));
  rtl_->set_control(true, mode_of(d), 0, 0, true);
  rtl_->clock();
  pipelined_model_.reset(d);
  EdgeInputs in;
  in.resize(config_.rows, config_.cols);
  const PeFormat& fmt = config_.format;
  const int h_bits = d == Dataflow::InputStationary ? fmt.weight_bits : fmt.act_bits;
  const int v_bits = d == Dataflow::InputStationary ? fmt.act_bits : fmt.weight_bits;
  for (uint64_t e = 0; e < tile.edges(); ++e) {
    tile.inputs(e, in);
    rtl_->set_control(false, mode_of(d), 0, 0, true);
    for (int i = 0; i < config_.rows; ++i)
      rtl_->set_h(i, low_bits(in.h[size_t(i)], h_bits), in.h_valid[size_t(i)], in.h_mark[size_t(i)]);
    for (int j = 0; j < config_.cols; ++j) {
      rtl_->set_v(j, low_bits(in.v[size_t(j)], v_bits), in.v_valid[size_t(j)]);
      rtl_->set_tap(j, in.tap[size_t(j)]);
    }
    rtl_->clock();
    if (!(fault_ == ModelFault::OneCycleLate && e == 0)) pipelined_model_.step(in);
    bool same = compare_pipelined(d, e);
    for (int j = 0; same && j < config_.cols; ++j) {
      const uint64_t want = low_bits(pipelined_model_.port(j, in), fmt.acc_bits);
      if (rtl_->out_valid(j) != pipelined_model_.port_valid(j, in))
        same = fail(e, in.tap[size_t(j)], j, "out_valid (port, pipelined)", rtl_->out_valid(j),
                    pipelined_model_.port_valid(j, in));
      else if (rtl_->out_valid(j) && rtl_->out(j) != want)
        same = fail(e, in.tap[size_t(j)], j, "out (port, pipelined)", rtl_->out(j), want);
    }
    if (same) {
      const std::string missing = tile.collect(
          e, [&](int j) { return rtl_->out_valid(j); }, [&](int j) { return int64_t(rtl_->out(j)); });
      if (!missing.empty()) same = fail(e, 0, 0, "scheduled result missing (" + missing + ")", 0, 1);
    }
    ++result_.cycles;
    wait(period);
    if (!same) return false;
  }
  for (const PipelinedFold& f : tile.folds())
    if (f.collected != f.out.size())
      return fail(tile.edges(), 0, 0, "results (port count)", f.collected, f.out.size());
  ++result_.pipelined_tiles_by_dataflow[int(d)];
  return true;
}

void PeArrayCosim::run() {
  std::mt19937_64 rng(seed_);
  while (result_.cycles < target_cycles_ && !result_.mismatch) {
    const bool pipelined = rng() % 2 == 1;
    if (!(pipelined ? run_pipelined_tile(rng) : run_fold(rng))) return;
    ++result_.folds;
    if (on_fold_) on_fold_(result_);
  }
}

}  // namespace cosim
