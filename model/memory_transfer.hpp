// Moving a tile between a unit's buffers and the memory holding its tensor, and what that costs in actions.
#pragma once

#include <cstdint>
#include <string>

#include "plan/layer_plan.hpp"
#include "spec/arch_spec.hpp"

namespace cosim {

// Bytes of `elements` values of `bits` each, packed.
inline uint64_t bytes_of(uint64_t elements, int bits) {
  return (elements * uint64_t(bits) + 7) / 8;
}

// A DRAM transfer moves whole bursts.
inline uint64_t dram_burst_bytes(uint64_t bytes, const ArchSpec& arch) {
  const uint64_t b = arch.dram.burst_bytes;
  return (bytes + b - 1) / b * b;
}

// A transfer of `bytes` to or from DRAM (staged through the global buffer: written there, then read) or the
// global buffer alone; adds the memory-side bytes of tensor `role` to `a`.
inline Transfer memory_transfer(const ArchSpec& arch, uint64_t bytes, bool dram, TensorRole role,
                                ActionCounts& a) {
  if (dram) {
    const uint64_t burst = dram_burst_bytes(bytes, arch);
    a.dram_bytes += double(burst);
    a.dram_by_tensor[role] += double(burst);
    a.glb_bytes += 2.0 * double(bytes);
    a.glb_by_tensor[role] += 2.0 * double(bytes);
    return {burst, true};
  }
  a.glb_bytes += double(bytes);
  a.glb_by_tensor[role] += double(bytes);
  return {bytes, false};
}

// Tiles the fixed mapping gives one layer at most. A layer that needs more (a huge batch or input) is refused
// with a clear line rather than simulated for hours.
constexpr uint64_t kMaxTilesPerLayer = 1000000;

inline std::string size_text(uint64_t bytes) {
  if (bytes % 1024 == 0) return std::to_string(bytes / 1024) + " KiB";
  return std::to_string(bytes) + " B";
}

}  // namespace cosim
