#include "model/energy_model.hpp"

#include <algorithm>

#include "model/pe_operation.hpp"

namespace cosim {

double EnergyModel::pe_op_pJ(const ChunkSpec& c) const {
  return energy_pJ(arch_.technology, pe_operation(c.op, c.pe));
}

EnergyModel::EnergyModel(const ArchSpec& arch) : arch_(arch), units_(arch.units()) {
  const Technology& t = arch.technology;
  auto per_byte = [&](uint64_t sram_bytes) { return t.sram_access_64b_pJ(sram_bytes) / 8.0; };
  unit_bytes_.resize(size_t(arch.unit_count()));
  for (size_t i = 0; i < arch.chunks.size(); ++i) {
    const ChunkSpec& c = arch.chunks[i];
    // An access energy the architecture gives replaces the technology table's curve for that buffer.
    unit_bytes_[i] = {c.input_access.value_or(per_byte(c.input_buffer)),
                      c.weight_access.value_or(per_byte(c.weight_buffer)),
                      c.output_access.value_or(per_byte(c.output_buffer)), 0, 0};
    pe_op_.push_back(pe_op_pJ(c));
  }
  unit_bytes_[size_t(arch.vector_unit_index())].input = per_byte(arch.vector_unit.buffer);
  if (arch.sparse_attention) {
    const SparseAttentionSpec& s = *arch.sparse_attention;
    unit_bytes_[size_t(arch.sparse_engine_index())] = {per_byte(s.q_buffer), per_byte(s.k_buffer),
                                                       per_byte(s.output_buffer), per_byte(s.v_buffer),
                                                       per_byte(s.index_buffer)};
  }
  glb_byte_ = arch.global_buffer.access.value_or(per_byte(arch.global_buffer.size));
  dram_byte_ = arch.dram.access.value_or(t.dram_access_64b_pJ() / 8.0);
}

EnergyBreakdown EnergyModel::actions(int unit, const ActionCounts& a, VectorOp vector_op) const {
  const Technology& t = arch_.technology;
  EnergyBreakdown e;
  const UnitBytes& b = unit_bytes_[size_t(unit)];
  if (unit == arch_.sparse_engine_index() && arch_.sparse_attention) {
    // MAC lines: int multiply + accumulator-width add per MAC (also for the encoder/decoder).
    const SparseAttentionSpec& s = *arch_.sparse_attention;
    const UnitDesc& u = units_[size_t(unit)];
    e.compute = double(a.macs) * energy_pJ(t, pe_operation(u.op, u.pe));
    e.local = a.input_buffer_bytes * b.input + a.weight_buffer_bytes * b.weight +
              a.value_buffer_bytes * b.value + a.index_buffer_bytes * b.index +
              a.output_buffer_bytes * b.output;
    const double mac_cycles = double(s.mac_lines) * s.macs_per_line * double(a.compute_cycles);
    e.idle = std::max(0.0, mac_cycles - double(a.macs)) * t.pe_idle_pJ_per_cycle();
  } else if (unit < int(arch_.chunks.size())) {
    const ChunkSpec& c = arch_.chunks[size_t(unit)];
    e.compute = double(a.macs) * pe_op_[size_t(unit)] + double(a.psum_adds) * t.int_add_pJ(c.pe.acc_bits);
    e.local =
        a.input_buffer_bytes * b.input + a.weight_buffer_bytes * b.weight + a.output_buffer_bytes * b.output;
    const double pe_cycles = double(c.pes()) * double(a.compute_cycles);
    e.idle = std::max(0.0, pe_cycles - double(a.macs)) * t.pe_idle_pJ_per_cycle();
  } else {
    const VectorUnitSpec& v = arch_.vector_unit;
    e.compute = double(a.macs) * v.ops.at(vector_op).energy_pJ_per_element;
    e.local = a.input_buffer_bytes * b.input;
  }
  e.glb = a.glb_bytes * glb_byte_;
  e.dram = a.dram_bytes * dram_byte_;
  return e;
}

double EnergyModel::leakage_pJ_per_cycle() const {
  const Technology& t = arch_.technology;
  double pes = 0;
  uint64_t sram = arch_.global_buffer.size;
  for (const UnitDesc& u : units_) {
    pes += u.pes;
    sram += u.sram_bytes;
  }
  return pes * t.pe_leakage_pJ_per_cycle() + double(sram) / 1024.0 * t.sram_leakage_pJ_per_KiB_cycle();
}

double EnergyModel::idle_pJ_per_cycle(const UnitDesc& u) const {
  return u.idles ? double(u.pes) * arch_.technology.pe_idle_pJ_per_cycle() : 0.0;
}

double EnergyModel::static_pJ(uint64_t total_cycles, const std::vector<uint64_t>& unit_compute_cycles) const {
  double idle = 0;
  for (const UnitDesc& u : units_) {
    const size_t i = size_t(u.index);
    const uint64_t busy = i < unit_compute_cycles.size() ? unit_compute_cycles[i] : 0;
    idle += idle_pJ_per_cycle(u) * double(total_cycles - std::min(total_cycles, busy));
  }
  return leakage_pJ_per_cycle() * double(total_cycles) + idle;
}

double EnergyModel::static_share_pJ(uint64_t cycles, int unit, uint64_t compute_cycles) const {
  double pJ = leakage_pJ_per_cycle() * double(cycles);
  for (const UnitDesc& u : units_)
    pJ += idle_pJ_per_cycle(u) * double(cycles) -
          (u.index == unit ? idle_pJ_per_cycle(u) * double(compute_cycles) : 0.0);
  return pJ;
}

}  // namespace cosim
