#include "cli/option_checks.hpp"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdlib>

namespace cosim {

namespace {

// The number the whole text spells, or NaN.
double parse_number(const std::string& text) {
  if (text.empty() || std::isspace(static_cast<unsigned char>(text[0]))) return NAN;
  char* end = nullptr;
  errno = 0;
  const double v = std::strtod(text.c_str(), &end);
  if (end != text.c_str() + text.size() || errno == ERANGE) return NAN;
  return v;
}

}  // namespace

CLI::Validator whole_number_in(uint64_t lo, uint64_t hi) {
  const std::string range = "[" + std::to_string(lo) + ", " + std::to_string(hi) + "]";
  return CLI::Validator(
      [lo, hi, range](std::string& text) -> std::string {
        const bool digits =
            !text.empty() && text.size() <= 20 &&
            std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
        errno = 0;
        const unsigned long long v = digits ? std::strtoull(text.c_str(), nullptr, 10) : 0;
        if (!digits || errno == ERANGE || v < lo || v > hi)
          return "expected a whole number in " + range + ", found \"" + text + "\"";
        return "";
      },
      "INT in " + range);
}

CLI::Validator positive_finite() {
  return CLI::Validator(
      [](std::string& text) -> std::string {
        const double v = parse_number(text);
        if (!std::isfinite(v) || v <= 0) return "expected a finite number > 0, found \"" + text + "\"";
        return "";
      },
      "NUMBER > 0");
}

CLI::Validator finite_number() {
  return CLI::Validator(
      [](std::string& text) -> std::string {
        if (!std::isfinite(parse_number(text))) return "expected a finite number, found \"" + text + "\"";
        return "";
      },
      "NUMBER");
}

}  // namespace cosim
