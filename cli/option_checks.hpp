// Checks of option values, made on the text the user typed (CLI11 would otherwise wrap "-1" into an unsigned
// option as 2^64-1): one line naming the option and what it takes.
#pragma once

#include <cstdint>
#include <string>

#include <CLI/CLI.hpp>

namespace cosim {

// A whole number in [lo, hi], written in decimal digits only.
CLI::Validator whole_number_in(uint64_t lo, uint64_t hi);

// A finite number greater than 0.
CLI::Validator positive_finite();

// A finite number.
CLI::Validator finite_number();

}  // namespace cosim
