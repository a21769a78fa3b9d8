// Double buffering, the one rule both the mapper and the accelerator model follow
// (docs/accelerator-model.md): each unit buffer is split into kBufferSlots equal slots, so the next tile
// loads (and the previous one stores) while the current one computes. A tile fits a buffer when its data fits
// one slot.
#pragma once

#include <cstdint>

namespace cosim {

constexpr int kBufferSlots = 2;

// The bits of one slot of a buffer of `buffer_bytes`.
constexpr uint64_t buffer_slot_bits(uint64_t buffer_bytes) {
  return buffer_bytes * 8 / kBufferSlots;
}

// Does a tile of `bits` fit one slot of a buffer of `buffer_bytes`?
constexpr bool fits_buffer_slot(uint64_t bits, uint64_t buffer_bytes) {
  return bits <= buffer_slot_bits(buffer_bytes);
}

}  // namespace cosim
