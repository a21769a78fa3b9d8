// The technology table: energy per action and area per unit, every number with a named source.
// Read from a JSON file (format documented in docs/architecture-format.md). Energies are kept in pJ, areas in
// um^2.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "spec/json_reader.hpp"

namespace cosim {

struct BitsPoint {
  int bits;
  double value;
};

struct SizePoint {
  double bytes;
  double value;
};

class Technology {
 public:
  static Technology read(const JsonField& root);

  std::string node;
  std::map<std::string, std::string> sources;  // key -> citation
  std::string content;                         // the table as read (compact JSON): what its figures are

  // Energy in pJ of one integer add / multiply / barrel shift at `bits`. Between tabulated widths the value
  // is interpolated linearly; outside them it scales from the nearest point, linearly in bits for add and
  // shift and quadratically for multiply (array multipliers grow with the square of the width).
  double int_add_pJ(int bits) const { return by_bits(int_add_, bits, 1); }
  double int_mult_pJ(int bits) const { return by_bits(int_mult_, bits, 2); }
  double shift_pJ(int bits) const { return by_bits(shift_, bits, 1); }
  // Named scalar actions (fp16_add, fp16_mult, fp32_add, fp32_mult, ...), used by vector-unit operations.
  bool has_action(const std::string& name) const { return actions_.count(name) != 0; }
  double action_pJ(const std::string& name) const { return actions_.at(name); }
  std::vector<std::string> action_names() const;
  // One 64-bit access of an SRAM of `bytes` capacity: log-log interpolation between tabulated sizes, clamped
  // to the smallest/largest entry outside them.
  double sram_access_64b_pJ(uint64_t bytes) const;
  double dram_access_64b_pJ() const { return dram_access_64b_; }
  double pe_idle_pJ_per_cycle() const { return pe_idle_; }
  double pe_leakage_pJ_per_cycle() const { return pe_leakage_; }
  double sram_leakage_pJ_per_KiB_cycle() const { return sram_leakage_; }

  // Area in um^2 (same interpolation rules as energy).
  double int_add_um2(int bits) const { return by_bits(area_add_, bits, 1); }
  double int_mult_um2(int bits) const { return by_bits(area_mult_, bits, 2); }
  double shift_um2(int bits) const { return by_bits(area_shift_, bits, 1); }
  double sram_um2_per_KiB() const { return area_sram_per_KiB_; }

 private:
  static double by_bits(const std::vector<BitsPoint>& table, int bits, int exponent);

  std::vector<BitsPoint> int_add_, int_mult_, shift_;
  std::vector<BitsPoint> area_add_, area_mult_, area_shift_;
  std::vector<SizePoint> sram_;
  std::map<std::string, double> actions_;
  double dram_access_64b_ = 0, pe_idle_ = 0, pe_leakage_ = 0, sram_leakage_ = 0;
  double area_sram_per_KiB_ = 0;  // um^2
};

}  // namespace cosim
