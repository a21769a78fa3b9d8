// Area of a PE from the technology table (the arithmetic a PE op needs, as in EnergyModel::pe_op_pJ):
//   mult:  int multiplier at max(act, weight) bits + accumulator-width adder
//   shift: shifter at (act + frac) bits + accumulator-width adder
//   adder: subtractor + absolute value (an adder) at max(act, weight) bits + accumulator-width adder
// Registers and muxes are not in the table; rtl/area/pe_area_check compares these figures with yosys cell
// counts of the RTL's arithmetic (docs/rtl.md).
#pragma once

#include <algorithm>
#include <string>
#include <vector>

#include "spec/arch_spec.hpp"
#include "spec/op_types.hpp"
#include "spec/technology.hpp"

namespace cosim {

inline double pe_area_um2(const Technology& t, OpType op, const PeFormat& f) {
  const int operand = std::max(f.act_bits, f.weight_bits);
  switch (op) {
    case OpType::Mult:
      return t.int_mult_um2(operand) + t.int_add_um2(f.acc_bits);
    case OpType::Shift:
      return t.shift_um2(f.act_bits + f.frac_bits) + t.int_add_um2(f.acc_bits);
    case OpType::Adder:
      return 2 * t.int_add_um2(operand) + t.int_add_um2(f.acc_bits);
  }
  return 0;
}

// Area of every unit of an accelerator from the technology table: PE arithmetic (pe_area_um2; registers and
// muxes are not in the table) and SRAM buffers (area.sram_per_KiB, periphery included). Vector lanes are
// costed as a 16-bit multiplier and adder each (the table has no floating-point areas).
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
  for (const ChunkSpec& c : a.chunks) {
    r.units.push_back({c.name, c.pes() * pe_area_um2(t, c.op, c.pe),
                       sram(c.input_buffer + c.weight_buffer + c.output_buffer)});
  }
  r.units.push_back(
      {"vector", a.vector_unit.lanes * (t.int_mult_um2(16) + t.int_add_um2(16)), sram(a.vector_unit.buffer)});
  if (a.sparse_attention) {
    const SparseAttentionSpec& s = *a.sparse_attention;
    r.units.push_back({"sparse_attn",
                       double(s.mac_lines * s.macs_per_line) *
                           (t.int_mult_um2(s.pe.act_bits) + t.int_add_um2(s.pe.acc_bits)),
                       sram(s.q_buffer + s.k_buffer + s.v_buffer + s.index_buffer + s.output_buffer)});
  }
  r.units.push_back({"global_buffer", 0, sram(a.global_buffer.size)});
  return r;
}

}  // namespace cosim
