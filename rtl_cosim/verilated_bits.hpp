// Reading and writing bit fields of Verilated ports, narrow (integral) or wide (VlWide).
#pragma once

#include <cstdint>
#include <type_traits>

namespace cosim {

template <typename Port>
void put_bits(Port& port, int lsb, int width, uint64_t value) {
  for (int b = 0; b < width; ++b) {
    const int bit = lsb + b;
    const bool v = (value >> b) & 1;
    if constexpr (std::is_integral_v<Port>) {
      using U = std::make_unsigned_t<Port>;
      const U m = U(U(1) << bit);
      port = Port(v ? (U(port) | m) : (U(port) & U(~m)));
    } else {
      uint32_t& w = port[size_t(bit / 32)];
      const uint32_t m = uint32_t(1) << (bit % 32);
      w = v ? (w | m) : (w & ~m);
    }
  }
}

template <typename Port>
uint64_t get_bits(const Port& port, int lsb, int width) {
  uint64_t out = 0;
  for (int b = 0; b < width; ++b) {
    const int bit = lsb + b;
    uint64_t v;
    if constexpr (std::is_integral_v<Port>) {
      using U = std::make_unsigned_t<Port>;
      v = (U(port) >> bit) & 1;
    } else {
      v = (port[size_t(bit / 32)] >> (bit % 32)) & 1;
    }
    out |= v << b;
  }
  return out;
}

inline uint64_t low_bits(int64_t v, int width) {
  return width >= 64 ? uint64_t(v) : uint64_t(v) & ((uint64_t(1) << width) - 1);
}

}  // namespace cosim
