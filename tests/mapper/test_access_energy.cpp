// Per-access energies given in the architecture and PEs that read their buffers at every operation (Eyeriss's
// scratchpads), pinned by hand on Timeloop's Eyeriss-like exercise (validation/timeloop-eyeriss/arch.json:
// 14 x 12 PEs, 16-bit operands and partial sums; ifmap / weight / psum buffers 0.24 / 1.59 / 0.25 pJ per
// 16-bit access, global buffer 75.22 pJ and DRAM 512 pJ per 64 bits, one MAC 2.2 pJ).
#include <gtest/gtest.h>

#include "mapper/gemm_tiling.hpp"
#include "model/energy_model.hpp"
#include "support/test_files.hpp"

namespace cosim {
namespace {

const char* const kArch = "validation/timeloop-eyeriss/arch.json";

// out[2][2] = a[2][3] b[3][2], one output-stationary tile, every tensor in the global buffer.
GemmProblem tiny(const ChunkSpec& c) {
  GemmProblem p;
  p.m = 2, p.k = 3, p.n = 2;
  p.a_bits = p.b_bits = p.out_bits = 16, p.acc_bits = c.pe.acc_bits;
  p.a_dram = p.b_dram = p.o_dram = false;
  p.rows = c.rows, p.cols = c.cols;
  p.reads_every_operation = c.operand_reads == OperandReads::EveryOperation;
  return p;
}

GemmTiling one_tile() {
  GemmTiling t;
  t.dataflow = Dataflow::OutputStationary;
  t.mt = 2, t.kt = 3, t.nt = 2;
  return t;
}

TEST(AccessEnergy, ArchitectureFileGivesPerAccessEnergiesAndEveryOperationReads) {
  const ArchSpec arch = read_arch(test::source_path(kArch));
  const ChunkSpec& c = arch.chunks[0];
  EXPECT_EQ(c.operand_reads, OperandReads::EveryOperation);
  // pJ per byte: the per-access figure over the bytes of one access.
  EXPECT_DOUBLE_EQ(*c.input_access, 0.12);
  EXPECT_DOUBLE_EQ(*c.weight_access, 0.795);
  EXPECT_DOUBLE_EQ(*c.output_access, 0.125);
  EXPECT_DOUBLE_EQ(*arch.global_buffer.access, 75.22 / 8);
  EXPECT_DOUBLE_EQ(*arch.dram.access, 64.0);
  // The default preset gives none: its buffers take the technology table's curve.
  const ArchSpec def = read_arch(test::source_path("arch/default.json"));
  EXPECT_FALSE(def.chunks[0].input_access.has_value());
  EXPECT_FALSE(def.global_buffer.access.has_value());
  EXPECT_EQ(def.chunks[0].operand_reads, OperandReads::ArrayEdge);
}

TEST(AccessEnergy, EveryOperationReadsOfOneTileByHand) {
  const ArchSpec arch = read_arch(test::source_path(kArch));
  const GemmProblem p = tiny(arch.chunks[0]);
  const ActionCounts a = gemm_cost(arch, p, one_tile()).actions;
  // 12 MACs. Input buffer: the 2 x 3 tile written by its load (12 B) and each MAC reads its operand
  // (12 x 2 B): 36 B. Weights likewise: 36 B. Output buffer: each MAC updates its partial sum (12) and reads
  // it first unless it starts the output's reduction (12 - 4): 20 x 2 B, and the store reads the 4 results:
  // 48 B. Global buffer: a and b read by their loads (12 + 12), the 4 results written (8): 32 B.
  EXPECT_EQ(a.macs, 12u);
  EXPECT_DOUBLE_EQ(a.input_buffer_bytes, 36);
  EXPECT_DOUBLE_EQ(a.weight_buffer_bytes, 36);
  EXPECT_DOUBLE_EQ(a.output_buffer_bytes, 48);
  EXPECT_DOUBLE_EQ(a.glb_bytes, 32);
  const EnergyBreakdown e = EnergyModel(arch).actions(0, a, VectorOp::Add);
  // 12 x 2.2 = 26.4 pJ; 36 x 0.12 + 36 x 0.795 + 48 x 0.125 = 38.94 pJ; 32 x 75.22 / 8 = 300.88 pJ.
  EXPECT_NEAR(e.compute, 26.4, 1e-9);
  EXPECT_NEAR(e.local, 38.94, 1e-9);
  EXPECT_NEAR(e.glb, 300.88, 1e-9);
  EXPECT_DOUBLE_EQ(e.dram, 0);
}

TEST(AccessEnergy, ArrayEdgeReadsOfTheSameTileByHand) {
  ArchSpec arch = read_arch(test::source_path(kArch));
  arch.chunks[0].operand_reads = OperandReads::ArrayEdge;
  const ActionCounts a = gemm_cost(arch, tiny(arch.chunks[0]), one_tile()).actions;
  // A systolic array reads a tile's operands once at its edge (one fold each way): 6 + 6 elements, and
  // writes each result once: the loads and the store as above plus 12, 12 and 8 B.
  EXPECT_DOUBLE_EQ(a.input_buffer_bytes, 24);
  EXPECT_DOUBLE_EQ(a.weight_buffer_bytes, 24);
  EXPECT_DOUBLE_EQ(a.output_buffer_bytes, 16);
}

}  // namespace
}  // namespace cosim
