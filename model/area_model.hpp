// Area of every unit of an accelerator from the technology table (ArchSpec::units(): the same unit list the
// energy model's leakage counts): PE arithmetic (model/pe_operation.hpp; registers and muxes are not in the
// table) and SRAM buffers (area.sram_per_KiB, periphery included). Vector lanes are costed as a 16-bit
// multiplier and adder each (the table has no floating-point areas). rtl/area/pe_area_check compares the PE
// figures with yosys cell counts of the RTL's arithmetic (docs/rtl.md).
#pragma once

#include <string>
#include <vector>

#include "model/pe_operation.hpp"
#include "spec/arch_spec.hpp"
#include "spec/technology.hpp"

namespace cosim {

inline double pe_area_um2(const Technology& t, OpType op, const PeFormat& f) {
  return area_um2(t, pe_operation(op, f));
}

struct UnitArea {
  std::string unit;
  double compute_um2 = 0, buffer_um2 = 0;
  double total_um2() const { return compute_um2 + buffer_um2; }
};

struct ArchArea {
  std::vector<UnitArea> units;  // chunks, vector unit, sparse engine (if any), global buffer
  double total_um2() const {
    double t = 0;
    for (const UnitArea& u : units) t += u.total_um2();
    return t;
  }
  double total_mm2() const { return total_um2() / 1e6; }
};

inline ArchArea arch_area(const ArchSpec& a) {
  const Technology& t = a.technology;
  auto sram = [&](uint64_t bytes) { return double(bytes) / 1024.0 * t.sram_um2_per_KiB(); };
  ArchArea r;
  for (const UnitDesc& u : a.units())
    r.units.push_back({u.name, double(u.pes) * pe_area_um2(t, u.op, u.pe), sram(u.sram_bytes)});
  r.units.push_back({"global_buffer", 0, sram(a.global_buffer.size)});
  return r;
}

}  // namespace cosim
