// The mapper's cost model of time: the cycles a layer takes when it runs alone on its unit, computed without
// SystemC from the same rules the accelerator model (sim/accel/accelerator.cpp) follows, so that the two
// agree exactly (tests/mapper prove it on random layers and mappings):
//
//   load t  starts at  Ls[t] = max(Le[t-1], Ce[t-2])          two input slots: freed when a compute ends
//   compute t          Ce[t] = max(Le[t], Ce[t-1], Se[t-2]) + cycles[t]   two output slots: freed by a store
//   store t starts at  Ss[t] = max(Ce[t], Se[t-1])
//
// where Le and Se are the arrival of the last transfer of the tile's loads / stores on the shared channels
// (model/channel_timing.hpp). Requests are served in the order of their cycle, and within a cycle loads
// before stores, so the two streams are merged in that order here.
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
    s.loads_end = s.compute_end = s.stores_end = 0;
    s.compute_cycles = t.compute_cycles;
    s.nloads = copy(t.loads, s.loads);
    s.nstores = copy(t.stores, s.stores);
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
    return pushed_ ? slot(pushed_ - 1).stores_end : 0;
  }
  uint64_t tiles() const { return pushed_; }
  uint64_t skipped() const { return skipped_; }  // tiles accounted for by steady-state jumps

 private:
  static constexpr int kMaxTransfers = 8;
  static constexpr uint64_t kRing = 16;  // load runs at most ~5 tiles ahead of store
  struct Slot {
    std::array<Transfer, kMaxTransfers> loads, stores;
    int nloads = 0, nstores = 0;
    uint64_t compute_cycles = 0;
    uint64_t loads_end = 0, compute_end = 0, stores_end = 0;
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

  // The state that decides the future: progress of each thread, the times of the last tiles, when each
  // channel is free (no earlier than the last request: requests come in time order), the last request.
  static constexpr uint64_t kUnset = UINT64_MAX;
  struct Snapshot {
    uint64_t pushed = 0, l = 0, c = 0, s = 0, lo = 0;
    std::array<uint64_t, 3 * kRing> times{};  // by distance from pushed
    uint64_t dram_free = 0, glb_free = 0, last_request = 0;
  };

  bool take(Snapshot& x) {
    const uint64_t first = std::min({l_, c_, s_});
    if (first < 4) return false;
    x.pushed = pushed_, x.l = l_, x.c = c_, x.s = s_, x.lo = first - 4;
    if (pushed_ - x.lo > kRing) return false;
    x.times.fill(kUnset);
    for (uint64_t i = x.lo; i < pushed_; ++i) {
      const Slot& y = slot(i);
      const size_t k = size_t(pushed_ - i - 1) * 3;
      if (i < l_) x.times[k] = y.loads_end;
      if (i < c_) x.times[k + 1] = y.compute_end;
      if (i < s_) x.times[k + 2] = y.stores_end;
    }
    x.dram_free = std::max(dram_.free_at(), last_request_);
    x.glb_free = std::max(glb_.free_at(), last_request_);
    x.last_request = last_request_;
    return true;
  }

  static bool repeats(const Snapshot& a, const Snapshot& b, uint64_t period, uint64_t& delta) {
    const uint64_t p = period;
    if (b.pushed != a.pushed + p || b.l != a.l + p || b.c != a.c + p || b.s != a.s + p || b.lo != a.lo + p) {
      return false;
    }
    delta = b.last_request - a.last_request;
    if (b.dram_free - a.dram_free != delta || b.glb_free - a.glb_free != delta) return false;
    for (size_t k = 0; k < a.times.size(); ++k) {
      if ((a.times[k] == kUnset) != (b.times[k] == kUnset)) return false;
      if (a.times[k] != kUnset && b.times[k] - a.times[k] != delta) return false;
    }
    return true;
  }

  // Advances `plays` plays of a repeated body of `period` tiles, each `delta` cycles later than the one
  // before.
  void jump(uint64_t plays, uint64_t period, uint64_t delta) {
    const uint64_t shift = plays * delta, n = plays * period;
    const std::array<Slot, kRing> old = ring_;
    const uint64_t lo = std::min({l_, c_, s_}) - 4;
    for (uint64_t i = lo; i < pushed_; ++i) {
      Slot y = old[i % kRing];
      if (i < l_) y.loads_end += shift;
      if (i < c_) y.compute_end += shift;
      if (i < s_) y.stores_end += shift;
      ring_[(i + n) % kRing] = y;
    }
    pushed_ += n, l_ += n, c_ += n, s_ += n;
    skipped_ += n;
    dram_.set_free_at(std::max(dram_.free_at(), last_request_) + shift);
    glb_.set_free_at(std::max(glb_.free_at(), last_request_) + shift);
    last_request_ += shift;
  }

  uint64_t serve(const std::array<Transfer, kMaxTransfers>& ts, int n, uint64_t now) {
    uint64_t done = now;
    for (int i = 0; i < n; ++i)
      done = std::max(done, (ts[size_t(i)].dram ? dram_ : glb_).serve(now, ts[size_t(i)].bytes));
    return done;
  }

  // Ce of every tile whose inputs are known: its loads (t < l_) and the store two tiles back (t - 2 < s_).
  void compute_ready() {
    while (c_ < l_ && (c_ < 2 || c_ - 2 < s_)) {
      Slot& x = slot(c_);
      uint64_t start = x.loads_end;
      if (c_ >= 1) start = std::max(start, slot(c_ - 1).compute_end);
      if (c_ >= 2) start = std::max(start, slot(c_ - 2).stores_end);
      x.compute_end = start + x.compute_cycles;
      ++c_;
    }
  }

  void advance(bool final) {
    for (;;) {
      compute_ready();
      if (pushed_ - s_ >= kRing) throw std::logic_error("PipelineTiming: ring overrun");
      // Next load: needs its tile, the previous load, and the compute two tiles back.
      const bool load_ok = l_ < pushed_ && (l_ < 2 || l_ - 2 < c_);
      const bool store_ok = s_ < c_;
      uint64_t load_at = 0, store_at = 0;
      if (load_ok) {
        load_at = l_ >= 1 ? slot(l_ - 1).loads_end : 0;
        if (l_ >= 2) load_at = std::max(load_at, slot(l_ - 2).compute_end);
      }
      if (store_ok) {
        store_at = slot(s_).compute_end;
        if (s_ >= 1) store_at = std::max(store_at, slot(s_ - 1).stores_end);
      }
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
        Slot& x = slot(l_);
        x.loads_end = serve(x.loads, x.nloads, load_at);
        ++l_;
      } else {
        Slot& x = slot(s_);
        x.stores_end = serve(x.stores, x.nstores, store_at);
        ++s_;
      }
    }
  }

  ChannelTiming dram_, glb_;
  std::array<Slot, kRing> ring_;
  uint64_t pushed_ = 0, l_ = 0, c_ = 0, s_ = 0;  // tiles pushed, loaded, computed, stored
  uint64_t last_request_ = 0;                    // cycle of the last load or store served
  uint64_t skipped_ = 0;
};

}  // namespace cosim
