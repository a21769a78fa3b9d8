// The mapper's cost model of time: the cycles a layer takes when it runs alone on its unit, computed without
// SystemC from the same rules the accelerator model (sim/accel/accelerator.cpp) follows, so that the two
// agree exactly (tests/mapper prove it on random layers and mappings):
//
//   load t  starts at  Ls[t] = max(Le[t-1], Ce[t-2])          two input slots: freed when a compute ends
//                      (its fetches first, then its loads, requested when the fetches have arrived)
//   compute t          Ce[t] = max(Le[t], Ce[t-1], Se[t-2]) + cycles[t] - overlap[t]   (the unit is free)
//                      Re[t] = Ce[t] + overlap[t]             (its results are complete; pipelined folds)
//                      two output slots: freed by a store
//   store t starts at  Ss[t] = max(Re[t], We[t-1])
//                      (its stores end at Se[t]; then its writebacks, ending at We[t]; without any, We = Se)
//
// where Le, Se and We are the arrival of the last transfer of the tile's loads / stores / writebacks on the
// shared channels (model/channel_timing.hpp). Requests are served in the order of their cycle, and within a
// cycle loads before stores, so the streams are merged in that order here.
//
// Tiles are fed one at a time (push) so that a mapping's tiles never need to be stored; only the last few
// are kept.
#pragma once

#include <algorithm>
#include <array>
#include <cstdint>
#include <stdexcept>

#include "model/buffering.hpp"
#include "model/channel_timing.hpp"
#include "plan/layer_plan.hpp"
#include "plan/tile_pattern.hpp"
#include "spec/arch_spec.hpp"

namespace cosim {

class PipelineTiming {
  static_assert(kBufferSlots == 2, "the recurrences above are written for two slots per buffer");

 public:
  explicit PipelineTiming(const ArchSpec& arch)
      : dram_(arch.dram.rate, arch.dram.latency_cycles), glb_(arch.global_buffer.rate, 0) {}

  void push(const TileStep& t) {
    Slot& s = slot(pushed_);
    s.loads_end = s.compute_end = s.ready_end = s.stores_end = s.writebacks_end = 0;
    s.compute_cycles = t.compute_cycles - std::min(t.compute_cycles, t.compute_overlap);
    s.overlap = t.compute_cycles - s.compute_cycles;
    s.nfetches = copy(t.fetches, s.fetches);
    s.nloads = copy(t.loads, s.loads);
    s.nstores = copy(t.stores, s.stores);
    s.nwritebacks = copy(t.writebacks, s.writebacks);
    ++pushed_;
    advance(false);
  }

  // `count` copies of one tile.
  void push(const TileStep& t, uint64_t count) { push(TilePattern::of(t, count)); }

  // A pattern of tiles. Once the pipeline's state at the end of one play of a repeated body equals its state
  // at the end of the previous play shifted by a constant number of cycles (the steady state), the remaining
  // plays are skipped by adding that shift: the rules are invariant under a shift of time and the tiles
  // repeat, so the skipped plays would have repeated it exactly.
  void push(const TilePattern& p) {
    const uint64_t period = p.period();
    Snapshot prev;
    bool have = false;
    for (uint64_t r = 0; r < p.times; ++r) {
      if (p.leaf) {
        push(p.tile);
      } else {
        for (const TilePattern& b : p.body) push(b);
      }
      const uint64_t left = p.times - 1 - r;
      if (left == 0) return;
      if ((r + 1) * period < kRing) continue;  // until the ring holds tiles of this repetition only
      Snapshot now;
      if (!take(now)) {
        have = false;
        continue;
      }
      uint64_t delta = 0;
      if (have && repeats(prev, now, period, delta)) {
        jump(left, period, delta);
        return;
      }
      prev = now;
      have = true;
    }
  }

  // The cycle the last store of the last tile has arrived, counted from the first load's request at cycle 0.
  uint64_t finish() {
    advance(true);
    return pushed_ ? slot(pushed_ - 1).writebacks_end : 0;
  }
  uint64_t tiles() const { return pushed_; }
  uint64_t skipped() const { return skipped_; }  // tiles accounted for by steady-state jumps

 private:
  static constexpr int kMaxTransfers = 8;
  static constexpr uint64_t kRing = 16;  // load runs at most ~5 tiles ahead of store
  struct Slot {
    std::array<Transfer, kMaxTransfers> fetches, loads, stores, writebacks;
    int nfetches = 0, nloads = 0, nstores = 0, nwritebacks = 0;
    uint64_t compute_cycles = 0, overlap = 0;  // busy cycles, then cycles until the results are complete
    uint64_t loads_end = 0, compute_end = 0, ready_end = 0, stores_end = 0, writebacks_end = 0;
  };

  static int copy(const std::vector<Transfer>& from, std::array<Transfer, kMaxTransfers>& to) {
    int n = 0;
    for (const Transfer& t : from) {
      if (t.bytes == 0) continue;
      if (n == kMaxTransfers)
        throw std::logic_error("PipelineTiming: more transfers in a tile than it keeps");
      to[size_t(n++)] = t;
    }
    return n;
  }

  Slot& slot(uint64_t t) { return ring_[t % kRing]; }
  const Slot& slot(uint64_t t) const { return ring_[t % kRing]; }

  // The state that decides the future: progress of each thread, the times of the last tiles, when each
  // channel is free (no earlier than the last request: requests come in time order), the last request.
  static constexpr uint64_t kUnset = UINT64_MAX;
  static constexpr size_t kTimes = 5;  // per tile: loads, compute, results, stores and writebacks end
  struct Snapshot {
    uint64_t pushed = 0, l = 0, c = 0, s = 0, w = 0, lo = 0;
    std::array<uint64_t, kTimes * kRing> times{};  // by distance from pushed
    uint64_t dram_free = 0, glb_free = 0, last_request = 0;
    uint64_t loads_at = kUnset, writebacks_at = kUnset;  // second phases requested, not yet served
  };

  bool take(Snapshot& x) {
    const uint64_t first = std::min({l_, c_, w_});
    if (first < 4) return false;
    x.pushed = pushed_, x.l = l_, x.c = c_, x.s = s_, x.w = w_, x.lo = first - 4;
    if (pushed_ - x.lo > kRing) return false;
    x.times.fill(kUnset);
    for (uint64_t i = x.lo; i < pushed_; ++i) {
      const Slot& y = slot(i);
      const size_t k = size_t(pushed_ - i - 1) * kTimes;
      if (i < l_) x.times[k] = y.loads_end;
      if (i < c_) x.times[k + 1] = y.compute_end, x.times[k + 4] = y.ready_end;
      if (i < s_) x.times[k + 2] = y.stores_end;
      if (i < w_) x.times[k + 3] = y.writebacks_end;
    }
    x.dram_free = std::max(dram_.free_at(), last_request_);
    x.glb_free = std::max(glb_.free_at(), last_request_);
    x.last_request = last_request_;
    x.loads_at = loads_at_, x.writebacks_at = writebacks_at_;
    return true;
  }

  static bool shifted(uint64_t a, uint64_t b, uint64_t delta) {
    return a == kUnset ? b == kUnset : b != kUnset && b - a == delta;
  }

  static bool repeats(const Snapshot& a, const Snapshot& b, uint64_t period, uint64_t& delta) {
    const uint64_t p = period;
    if (b.pushed != a.pushed + p || b.l != a.l + p || b.c != a.c + p || b.s != a.s + p || b.w != a.w + p ||
        b.lo != a.lo + p) {
      return false;
    }
    delta = b.last_request - a.last_request;
    if (b.dram_free - a.dram_free != delta || b.glb_free - a.glb_free != delta) return false;
    if (!shifted(a.loads_at, b.loads_at, delta) || !shifted(a.writebacks_at, b.writebacks_at, delta))
      return false;
    for (size_t k = 0; k < a.times.size(); ++k) {
      if (!shifted(a.times[k], b.times[k], delta)) return false;
    }
    return true;
  }

  // Advances `plays` plays of a repeated body of `period` tiles, each `delta` cycles later than the one
  // before.
  void jump(uint64_t plays, uint64_t period, uint64_t delta) {
    const uint64_t shift = plays * delta, n = plays * period;
    const std::array<Slot, kRing> old = ring_;
    const uint64_t lo = std::min({l_, c_, w_}) - 4;
    for (uint64_t i = lo; i < pushed_; ++i) {
      Slot y = old[i % kRing];
      if (i < l_) y.loads_end += shift;
      if (i < c_) y.compute_end += shift, y.ready_end += shift;
      if (i < s_) y.stores_end += shift;
      if (i < w_) y.writebacks_end += shift;
      ring_[(i + n) % kRing] = y;
    }
    pushed_ += n, l_ += n, c_ += n, s_ += n, w_ += n;
    skipped_ += n;
    dram_.set_free_at(std::max(dram_.free_at(), last_request_) + shift);
    glb_.set_free_at(std::max(glb_.free_at(), last_request_) + shift);
    last_request_ += shift;
    if (loads_at_ != kUnset) loads_at_ += shift;
    if (writebacks_at_ != kUnset) writebacks_at_ += shift;
  }

  uint64_t serve(const std::array<Transfer, kMaxTransfers>& ts, int n, uint64_t now) {
    uint64_t done = now;
    for (int i = 0; i < n; ++i)
      done = std::max(done, (ts[size_t(i)].dram ? dram_ : glb_).serve(now, ts[size_t(i)].bytes));
    return done;
  }

  // Ce of every tile whose inputs are known: its loads (t < l_) and the stores two tiles back (t - 2 < s_).
  void compute_ready() {
    while (c_ < l_ && (c_ < 2 || c_ - 2 < s_)) {
      Slot& x = slot(c_);
      uint64_t start = x.loads_end;
      if (c_ >= 1) start = std::max(start, slot(c_ - 1).compute_end);
      if (c_ >= 2) start = std::max(start, slot(c_ - 2).stores_end);
      x.compute_end = start + x.compute_cycles;
      x.ready_end = x.compute_end + x.overlap;
      ++c_;
    }
  }

  // The load thread's next request: the fetches of tile l_ (or its loads, when it has no fetches) once its
  // slot is free, or its loads once its fetches have arrived. False while it waits for a compute or a tile.
  bool next_load(uint64_t& at) const {
    if (loads_at_ != kUnset) return at = loads_at_, true;
    if (l_ >= pushed_ || (l_ >= 2 && l_ - 2 >= c_)) return false;
    at = l_ >= 1 ? slot(l_ - 1).loads_end : 0;
    if (l_ >= 2) at = std::max(at, slot(l_ - 2).compute_end);
    return true;
  }

  // The store thread's next request: the stores of tile s_ once computed (and the thread is done with the
  // tile before), or the writebacks of tile s_ once stored.
  bool next_store(uint64_t& at) const {
    if (writebacks_at_ != kUnset) return at = writebacks_at_, true;
    if (s_ >= c_) return false;
    at = slot(s_).ready_end;
    if (s_ >= 1) at = std::max(at, slot(s_ - 1).writebacks_end);
    return true;
  }

  void serve_load(uint64_t at) {
    Slot& x = slot(l_);
    if (loads_at_ == kUnset && x.nfetches > 0) {
      loads_at_ = serve(x.fetches, x.nfetches, at);  // the loads are requested when the fetches arrive
      return;
    }
    x.loads_end = serve(x.loads, x.nloads, at);
    loads_at_ = kUnset;
    ++l_;
  }

  void serve_store(uint64_t at) {
    if (writebacks_at_ != kUnset) {  // tile w_ (= s_ - 1) is stored; its writebacks now
      Slot& x = slot(w_);
      x.writebacks_end = serve(x.writebacks, x.nwritebacks, at);
      writebacks_at_ = kUnset;
      ++w_;
      return;
    }
    Slot& x = slot(s_);
    x.stores_end = serve(x.stores, x.nstores, at);
    ++s_;
    if (x.nwritebacks > 0) {
      writebacks_at_ = x.stores_end;
    } else {
      x.writebacks_end = x.stores_end;
      ++w_;
    }
  }

  void advance(bool final) {
    for (;;) {
      compute_ready();
      if (pushed_ - w_ >= kRing) throw std::logic_error("PipelineTiming: ring overrun");
      uint64_t load_at = 0, store_at = 0;
      const bool load_ok = next_load(load_at);
      const bool store_ok = next_store(store_at);
      bool do_load;
      if (load_ok && store_ok) {
        do_load = load_at <= store_at;  // same cycle: loads first
      } else if (load_ok) {
        do_load = true;
      } else if (store_ok) {
        // The load is waiting either for a compute (which waits for this store: the store comes first) or
        // for its tile to be pushed (which may yet be requested earlier than this store).
        if (l_ == pushed_ && !final) return;
        do_load = false;
      } else {
        return;
      }
      last_request_ = do_load ? load_at : store_at;
      if (do_load) {
        serve_load(load_at);
      } else {
        serve_store(store_at);
      }
    }
  }

  ChannelTiming dram_, glb_;
  std::array<Slot, kRing> ring_;
  // Tiles pushed, loaded, computed, stored, and done by the store thread (stored and written back).
  uint64_t pushed_ = 0, l_ = 0, c_ = 0, s_ = 0, w_ = 0;
  uint64_t last_request_ = 0;                            // cycle of the last request served
  uint64_t loads_at_ = kUnset, writebacks_at_ = kUnset;  // a thread's second phase, when requested
  uint64_t skipped_ = 0;
};

}  // namespace cosim
