// A channel that several units share (the DRAM channel, the global buffer's port). Requests are served in the
// order of the cycle they are made in; requests made in the same cycle are served in RequestOrder (unit
// index, then a unit's loads before its stores, then the order of the tile's transfer list), whatever order
// the SystemC kernel happens to run the requesting threads in. Each transfer occupies the channel for its
// transfer time; a fixed latency (DRAM) is pipelined and does not occupy the channel.
//
// ChannelTiming is the arithmetic, plain C++, shared by the SystemC model (sim/accel/arbitrated_channel.hpp)
// and the mapper's cost model (model/pipeline_timing.hpp), so that both serve a request the same way.
#pragma once

#include <algorithm>
#include <cstdint>
#include <tuple>

#include "spec/quantity.hpp"

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
  ChannelTiming(ByteRate rate, uint64_t latency_cycles) : rate_(rate), latency_(latency_cycles) {}

  // Cycles a transfer of `bytes` occupies the channel: whole cycles, rounded up (exact: ByteRate).
  uint64_t occupancy(uint64_t bytes) const { return rate_.occupancy(bytes); }
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
  ByteRate rate_;
  uint64_t latency_;
  uint64_t free_at_ = 0;
};

}  // namespace cosim
