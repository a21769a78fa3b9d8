// A channel that several units share (the DRAM channel, the global buffer's port). Requests are served in the
// order of the cycle they are made in; requests made in the same cycle are served in RequestOrder (unit
// index, then a unit's loads before its stores, then the order of the tile's transfer list), whatever order
// the SystemC kernel happens to run the requesting threads in. Each transfer occupies the channel for its
// transfer time; a fixed latency (DRAM) is pipelined and does not occupy the channel.
//
// ChannelTiming is the arithmetic, plain C++, shared by the SystemC model (through ArbitratedChannel) and the
// mapper's cost model (mapper/pipeline_timing.hpp), so that both serve a request the same way.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <tuple>
#include <vector>

namespace cosim {

struct RequestOrder {
  int unit = 0;
  int kind = 0;  // 0: load, 1: store
  int seq = 0;   // index in the tile's transfer list
  bool operator<(const RequestOrder& o) const {
    return std::tie(unit, kind, seq) < std::tie(o.unit, o.kind, o.seq);
  }
};

class ChannelTiming {
 public:
  ChannelTiming(double bytes_per_cycle, uint64_t latency_cycles)
      : bytes_per_cycle_(bytes_per_cycle), latency_(latency_cycles) {}

  // Cycles a transfer of `bytes` occupies the channel: whole cycles, rounded up.
  uint64_t occupancy(uint64_t bytes) const {
    return uint64_t(std::ceil(double(bytes) / bytes_per_cycle_ - 1e-9));
  }
  uint64_t latency() const { return latency_; }

  // Serves a transfer requested at cycle `now` after every request served before it; returns the cycle its
  // data has arrived.
  uint64_t serve(uint64_t now, uint64_t bytes) {
    const uint64_t start = std::max(now, free_at_);
    free_at_ = start + occupancy(bytes);
    return free_at_ + latency_;
  }
  uint64_t free_at() const { return free_at_; }
  void set_free_at(uint64_t c) { free_at_ = c; }

 private:
  double bytes_per_cycle_;
  uint64_t latency_;
  uint64_t free_at_ = 0;
};

// The SystemC side: requests arrive from threads in kernel order; those of the current cycle are re-served
// in RequestOrder each time one arrives, and their owners are told when a completion moves.
class ArbitratedChannel {
 public:
  struct Owner {
    virtual ~Owner() = default;
    virtual void completion_changed(int slot, uint64_t done) = 0;
  };

  ArbitratedChannel(double bytes_per_cycle, uint64_t latency_cycles)
      : timing_(bytes_per_cycle, latency_cycles) {}

  // A transfer of `bytes` (> 0) requested at cycle `now`; `owner->completion_changed(slot, …)` receives its
  // arrival cycle now and again whenever a request of the same cycle that goes first arrives later.
  void request(uint64_t now, uint64_t bytes, RequestOrder order, Owner* owner, int slot) {
    if (now != cycle_ || pending_.empty()) {
      cycle_ = now;
      base_free_ = timing_.free_at();
      pending_.clear();
    }
    Pending p{order, bytes, owner, slot, 0};
    pending_.insert(std::upper_bound(pending_.begin(), pending_.end(), p,
                                     [](const Pending& a, const Pending& b) { return a.order < b.order; }),
                    p);
    timing_.set_free_at(base_free_);
    for (Pending& q : pending_) {
      const uint64_t done = timing_.serve(now, q.bytes);
      if (done != q.done) {
        q.done = done;
        q.owner->completion_changed(q.slot, done);
      }
    }
    busy_cycles_ += timing_.occupancy(bytes);
  }

  uint64_t busy_cycles() const { return busy_cycles_; }
  void reset_counters() { busy_cycles_ = 0; }

 private:
  struct Pending {
    RequestOrder order;
    uint64_t bytes;
    Owner* owner;
    int slot;
    uint64_t done;
  };
  ChannelTiming timing_;
  uint64_t cycle_ = 0, base_free_ = 0;
  std::vector<Pending> pending_;
  uint64_t busy_cycles_ = 0;
};

}  // namespace cosim
