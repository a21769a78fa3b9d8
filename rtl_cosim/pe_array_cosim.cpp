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
      model_(config.op, config.rows, config.cols, model_format(config, fault)) {
  SC_HAS_PROCESS(PeArrayCosim);
  SC_THREAD(run);
}

void PeArrayCosim::drive(const FoldInput& f, Dataflow d, uint64_t edge) {
  const PeFormat& fmt = config_.format;
  const int64_t t = int64_t(edge);
  const int act = fmt.act_bits, wgt = fmt.weight_bits;
  for (int i = 0; i < config_.rows; ++i) rtl_->set_h(i, 0, false);
  for (int j = 0; j < config_.cols; ++j) rtl_->set_v(j, 0, false);
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
      for (const Field& x : fields) {
        if (x.rtl == x.model) continue;
        Mismatch m;
        m.cycle = result_.cycles;
        m.fold = fold_index;
        m.edge = edge;
        m.row = r;
        m.col = c;
        m.signal = std::string(x.name) + " (" + to_string(d) + ")";
        m.rtl = x.rtl;
        m.model = x.model;
        result_.mismatch = m;
        return false;
      }
    }
  }
  return true;
}

void PeArrayCosim::run() {
  std::mt19937_64 rng(seed_);
  const PeFormat& fmt = config_.format;
  const sc_core::sc_time period(2, sc_core::SC_NS);
  std::uniform_int_distribution<int64_t> act(act_min(fmt), act_max(fmt));
  std::uniform_int_distribution<int64_t> wgt(weight_min(config_.op, fmt), weight_max(config_.op, fmt));
  while (result_.cycles < target_cycles_ && !result_.mismatch) {
    const Dataflow d = Dataflow(rng() % 3);
    std::uniform_int_distribution<int64_t> rows(1, config_.rows), cols(1, config_.cols),
        stream(1, 2 * std::max(config_.rows, config_.cols));
    const int64_t r = rows(rng), c = cols(rng), s = stream(rng);
    FoldInput f;
    if (d == Dataflow::OutputStationary)
      f.m = r, f.n = c, f.k = s;
    else if (d == Dataflow::WeightStationary)
      f.k = r, f.n = c, f.m = s;
    else
      f.k = r, f.m = c, f.n = s;
    for (int64_t i = 0; i < f.m * f.k; ++i) f.a.push_back(act(rng));
    for (int64_t i = 0; i < f.k * f.n; ++i) f.w.push_back(wgt(rng));

    rtl_->set_control(true, mode_of(d), 0, 0);  // one reset edge between folds, not compared
    rtl_->clock();
    model_.start(d, f);
    const uint64_t edges = fold_cycles(d, f.m, f.k, f.n);
    for (uint64_t e = 0; e < edges; ++e) {
      drive(f, d, e);
      rtl_->clock();
      if (!(fault_ == ModelFault::OneCycleLate && e == 0)) model_.step();
      const bool same = compare(d, f, result_.folds, e);
      ++result_.cycles;
      wait(period);
      if (!same) return;
    }
    ++result_.folds;
    ++result_.folds_by_dataflow[int(d)];
    if (on_fold_) on_fold_(result_);
  }
}

}  // namespace cosim
