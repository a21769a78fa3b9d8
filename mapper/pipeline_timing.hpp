// The mapper's cost model of time: the cycles a layer takes when it runs alone on its unit, computed without
// SystemC from the same rules the accelerator model (sim/accel/accelerator.cpp) follows, so that the two
// agree exactly (tests/mapper prove it on random layers and mappings):
//
//   load t  starts at  Ls[t] = max(Le[t-1], Ce[t-2])          two input slots: freed when a compute ends
//   compute t          Ce[t] = max(Le[t], Ce[t-1], Se[t-2]) + cycles[t]   two output slots: freed by a store
//   store t starts at  Ss[t] = max(Ce[t], Se[t-1])
//
// where Le and Se are the arrival of the last transfer of the tile's loads / stores on the shared channels
// (sim/accel/shared_channel.hpp). Requests are served in the order of their cycle, and within a cycle loads
// before stores, so the two streams are merged in that order here.
//
// Tiles are fed one at a time (push) so that a mapping's tiles never need to be stored; only the last few
// are kept.
#pragma once

#include <array>
#include <cstdint>
#include <stdexcept>

#include "mapper/layer_plan.hpp"
#include "sim/accel/shared_channel.hpp"
#include "spec/arch_spec.hpp"

namespace cosim {

class PipelineTiming {
 public:
  explicit PipelineTiming(const ArchSpec& arch)
      : dram_(arch.dram.bytes_per_cycle, arch.dram.latency_cycles),
        glb_(arch.global_buffer.bytes_per_cycle, 0) {}

  void push(const TileStep& t) {
    Slot& s = slot(pushed_);
    s.loads_end = s.compute_end = s.stores_end = 0;
    s.compute_cycles = t.compute_cycles;
    s.nloads = copy(t.loads, s.loads);
    s.nstores = copy(t.stores, s.stores);
    ++pushed_;
    advance(false);
  }

  // The cycle the last store of the last tile has arrived, counted from the first load's request at cycle 0.
  uint64_t finish() {
    advance(true);
    return pushed_ ? slot(pushed_ - 1).stores_end : 0;
  }
  uint64_t tiles() const { return pushed_; }

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
};

}  // namespace cosim
