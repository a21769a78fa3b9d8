// The SystemC side of a shared channel (model/channel_timing.hpp has the rules): requests arrive from the
// accelerator's threads in whatever order the kernel runs them, and are served as ChannelTiming says.
#pragma once

#include <algorithm>
#include <cstdint>
#include <vector>

#include "model/channel_timing.hpp"

namespace cosim {

// The SystemC side: requests arrive from threads in kernel order; those of the current cycle are re-served
// in RequestOrder each time one arrives, and their owners are told when a completion moves.
class ArbitratedChannel {
 public:
  struct Owner {
    virtual ~Owner() = default;
    virtual void completion_changed(int slot, uint64_t done) = 0;
  };

  ArbitratedChannel(ByteRate rate, uint64_t latency_cycles) : timing_(rate, latency_cycles) {}

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
