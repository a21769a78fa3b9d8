// Physical quantities written with their unit in the user's files ("500 MHz", "512 KiB", "76.8 GB/s").
// A field states which dimension it expects; a value with another unit is refused, so a bandwidth can never
// be read as a size. Sizes use binary prefixes for KB/MB (1 KB = 1024 B, the memory-datasheet convention and
// the one the accelerator papers use for buffer sizes); rates use decimal prefixes (1 GB/s = 1e9 B/s, the
// DRAM convention).
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace cosim {

enum class Dimension { Frequency, Size, Bandwidth, Time, Energy, Area };

const char* dimension_name(Dimension d);
// With its article, for messages: "a frequency", "an area".
std::string a_dimension(Dimension d);
const char* dimension_example(Dimension d);

struct Quantity {
  Dimension dimension;
  // Value in the base unit: Hz, bytes, bytes/s, seconds, joules, m^2. Bandwidth may also be given per cycle,
  // and time in cycles; those are kept apart because they need the clock to convert.
  double value = 0;
  bool per_cycle = false;  // Bandwidth in B/cycle, or Time in cycles.
};

// A rate of bytes per cycle as an exact fraction, so that the cycles a transfer holds a channel are an exact
// integer ceiling, the same on every side that computes them (no floating-point quotient and epsilon).
struct ByteRate {
  uint64_t bytes = 1, cycles = 1;  // `bytes` every `cycles` cycles, in lowest terms
  double per_cycle() const { return double(bytes) / double(cycles); }
  // Whole cycles a transfer of `n` bytes occupies a channel of this rate: ceil(n * cycles / bytes).
  uint64_t occupancy(uint64_t n) const {
    const unsigned __int128 num = (unsigned __int128)n * cycles;
    return uint64_t((num + bytes - 1) / bytes);
  }
  bool operator==(const ByteRate& o) const { return bytes == o.bytes && cycles == o.cycles; }
};

// The fraction nearest `bytes_per_cycle` (> 0) with a denominator of at most 10^9, by continued fractions:
// exact for every rate written in B/s over a clock in Hz with integer values (76.8 GB/s at 500 MHz: 768/5).
ByteRate byte_rate(double bytes_per_cycle);

// Parses "<number> <unit>". Returns nothing and sets `why` when the text is not a quantity of `expected`.
std::optional<Quantity> parse_quantity(const std::string& text, Dimension expected, std::string& why);

}  // namespace cosim
