#include "spec/quantity.hpp"

#include <cctype>
#include <cmath>
#include <cstdlib>
#include <vector>

namespace cosim {

namespace {

struct UnitDef {
  const char* name;
  Dimension dimension;
  double scale;
  bool per_cycle;
};

const std::vector<UnitDef>& units() {
  static const std::vector<UnitDef> table = {
      {"Hz", Dimension::Frequency, 1, false},
      {"kHz", Dimension::Frequency, 1e3, false},
      {"MHz", Dimension::Frequency, 1e6, false},
      {"GHz", Dimension::Frequency, 1e9, false},
      {"B", Dimension::Size, 1, false},
      {"KB", Dimension::Size, 1024, false},
      {"KiB", Dimension::Size, 1024, false},
      {"MB", Dimension::Size, 1024.0 * 1024, false},
      {"MiB", Dimension::Size, 1024.0 * 1024, false},
      {"GB", Dimension::Size, 1024.0 * 1024 * 1024, false},
      {"GiB", Dimension::Size, 1024.0 * 1024 * 1024, false},
      {"B/s", Dimension::Bandwidth, 1, false},
      {"KB/s", Dimension::Bandwidth, 1e3, false},
      {"MB/s", Dimension::Bandwidth, 1e6, false},
      {"GB/s", Dimension::Bandwidth, 1e9, false},
      {"B/cycle", Dimension::Bandwidth, 1, true},
      {"ps", Dimension::Time, 1e-12, false},
      {"ns", Dimension::Time, 1e-9, false},
      {"us", Dimension::Time, 1e-6, false},
      {"ms", Dimension::Time, 1e-3, false},
      {"s", Dimension::Time, 1, false},
      {"cycles", Dimension::Time, 1, true},
      {"cycle", Dimension::Time, 1, true},
      {"fJ", Dimension::Energy, 1e-15, false},
      {"pJ", Dimension::Energy, 1e-12, false},
      {"nJ", Dimension::Energy, 1e-9, false},
      {"uJ", Dimension::Energy, 1e-6, false},
      {"um2", Dimension::Area, 1e-12, false},
      {"mm2", Dimension::Area, 1e-6, false},
  };
  return table;
}

}  // namespace

std::string a_dimension(Dimension d) {
  const std::string n = dimension_name(d);
  return (n.find_first_of("aeiou") == 0 ? "an " : "a ") + n;
}

const char* dimension_name(Dimension d) {
  switch (d) {
    case Dimension::Frequency:
      return "frequency";
    case Dimension::Size:
      return "size";
    case Dimension::Bandwidth:
      return "bandwidth";
    case Dimension::Time:
      return "time";
    case Dimension::Energy:
      return "energy";
    case Dimension::Area:
      return "area";
  }
  return "?";
}

const char* dimension_example(Dimension d) {
  switch (d) {
    case Dimension::Frequency:
      return "\"500 MHz\"";
    case Dimension::Size:
      return "\"512 KiB\"";
    case Dimension::Bandwidth:
      return "\"76.8 GB/s\" or \"64 B/cycle\"";
    case Dimension::Time:
      return "\"100 ns\" or \"50 cycles\"";
    case Dimension::Energy:
      return "\"0.2 pJ\"";
    case Dimension::Area:
      return "\"282 um2\"";
  }
  return "?";
}

std::optional<Quantity> parse_quantity(const std::string& text, Dimension expected, std::string& why) {
  const char* begin = text.c_str();
  char* end = nullptr;
  double number = std::strtod(begin, &end);
  if (end == begin || !std::isfinite(number)) {
    why = "expected " + a_dimension(expected) + " with a unit, e.g. " + dimension_example(expected) +
          ", found \"" + text + "\"";
    return std::nullopt;
  }
  std::string unit(end);
  while (!unit.empty() && std::isspace(static_cast<unsigned char>(unit.front()))) unit.erase(unit.begin());
  while (!unit.empty() && std::isspace(static_cast<unsigned char>(unit.back()))) unit.pop_back();
  for (const UnitDef& u : units()) {
    if (unit != u.name) continue;
    if (u.dimension != expected) {
      why = "\"" + text + "\" is " + a_dimension(u.dimension) + ", expected " + a_dimension(expected) +
            " such as " + dimension_example(expected);
      return std::nullopt;
    }
    return Quantity{expected, number * u.scale, u.per_cycle};
  }
  why = "unknown unit \"" + unit + "\" in \"" + text + "\"; expected " + a_dimension(expected) + " such as " +
        dimension_example(expected);
  return std::nullopt;
}

ByteRate byte_rate(double x) {
  // Convergents h/k of the continued fraction of x; stop when one is within 1e-12 of x or k would pass 1e9.
  uint64_t h0 = 0, h1 = 1, k0 = 1, k1 = 0;
  double r = x;
  for (int i = 0; i < 64; ++i) {
    const double a = std::floor(r);
    if (a > 1e18) break;
    const uint64_t ai = uint64_t(a);
    const uint64_t h2 = ai * h1 + h0, k2 = ai * k1 + k0;
    if (k2 > 1000000000ull) break;
    h0 = h1, h1 = h2, k0 = k1, k1 = k2;
    if (std::fabs(double(h1) / double(k1) - x) <= 1e-12 * x || r - a == 0) break;
    r = 1.0 / (r - a);
  }
  if (h1 == 0 || k1 == 0) return {1, 1000000000ull};  // below the smallest fraction kept
  return {h1, k1};
}

}  // namespace cosim
