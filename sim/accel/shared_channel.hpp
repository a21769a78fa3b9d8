// A channel that several units share (the DRAM channel, the global buffer's port): requests are served in the
// order they arrive, each occupying the channel for its transfer time; a fixed latency (DRAM) is pipelined
// and does not occupy the channel. Plain C++: the caller's SystemC thread waits until the returned completion
// cycle.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>

namespace cosim {

class SharedChannel {
 public:
  SharedChannel(double bytes_per_cycle, uint64_t latency_cycles)
      : bytes_per_cycle_(bytes_per_cycle), latency_(latency_cycles) {}

  // Cycles a transfer of `bytes` occupies the channel: whole cycles, rounded up.
  uint64_t occupancy(uint64_t bytes) const {
    return uint64_t(std::ceil(double(bytes) / bytes_per_cycle_ - 1e-9));
  }

  // Reserves the channel for a transfer requested at cycle `now`; returns the cycle its data has arrived.
  uint64_t reserve(uint64_t now, uint64_t bytes) {
    const uint64_t start = std::max(now, free_at_);
    free_at_ = start + occupancy(bytes);
    busy_cycles_ += free_at_ - start;
    return free_at_ + latency_;
  }

  uint64_t busy_cycles() const { return busy_cycles_; }
  void reset_counters() { busy_cycles_ = 0; }

 private:
  double bytes_per_cycle_;
  uint64_t latency_;
  uint64_t free_at_ = 0;
  uint64_t busy_cycles_ = 0;
};

}  // namespace cosim
