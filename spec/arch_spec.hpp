// The accelerator's architecture, read from an architecture file (docs/architecture-format.md).
// Every field is documented in that file, next to the defaults this reader applies; the values here are
// already converted to the simulator's units: cycles, bytes, bytes per cycle, pJ.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "spec/op_types.hpp"
#include "spec/quantity.hpp"
#include "spec/technology.hpp"

namespace cosim {

// Energy of one access to a memory given in the architecture file instead of the technology table's capacity
// curve (a scratchpad of a few words is far below the curve's smallest SRAM), as pJ per byte moved.
using AccessEnergy = std::optional<double>;

// Where a PE's operands come from at each operation (docs/architecture-format.md): at the array's edge,
// read from the chunk's buffers once per fold and passed from PE to PE (a systolic array), or from the
// chunk's buffers at every operation (Eyeriss's PEs read their scratchpads for each MAC and read and update
// a partial sum).
enum class OperandReads { ArrayEdge, EveryOperation };

// One PE-array chunk: a systolic array of one operator type with its own buffers.
struct ChunkSpec {
  std::string name;
  OpType op = OpType::Mult;
  int rows = 0, cols = 0;
  PeFormat pe;
  std::vector<Dataflow> dataflows;  // supported; the first is the one the fixed mapping uses
  uint64_t input_buffer = 0, weight_buffer = 0, output_buffer = 0;  // bytes
  AccessEnergy input_access, weight_access, output_access;          // pJ per byte, when given
  OperandReads operand_reads = OperandReads::ArrayEdge;
  bool fold_pipelining = false;  // folds overlap (shadow weights, drain registers: docs/pe-array.md)
  std::string pointer;           // JSON pointer of this chunk in the architecture file

  int pes() const { return rows * cols; }
};

// The operations of the vector unit (docs/architecture-format.md gives each one's default cost). Copy moves
// elements into a new order (transpose, a slice that is not contiguous) and, like concat, does no arithmetic.
enum class VectorOp {
  Softmax,
  Layernorm,
  Gelu,
  Add,
  Pool,
  Concat,
  Relu,
  Clip,
  Sigmoid,
  Tanh,
  Silu,
  HardSigmoid,
  HardSwish,
  Mul,
  Div,
  BatchNorm,
  Copy
};
constexpr std::array<VectorOp, 17> kVectorOps = {
    VectorOp::Softmax,   VectorOp::Layernorm,   VectorOp::Gelu,      VectorOp::Add,     VectorOp::Pool,
    VectorOp::Concat,    VectorOp::Relu,        VectorOp::Clip,      VectorOp::Sigmoid, VectorOp::Tanh,
    VectorOp::Silu,      VectorOp::HardSigmoid, VectorOp::HardSwish, VectorOp::Mul,     VectorOp::Div,
    VectorOp::BatchNorm, VectorOp::Copy};
const char* to_string(VectorOp op);

struct VectorOpCost {
  int cycles_per_element = 1;             // per lane
  std::map<std::string, double> actions;  // technology action name -> count per element
  double energy_pJ_per_element = 0;       // derived: sum(count * action energy)
};

struct VectorUnitSpec {
  int lanes = 0;
  uint64_t buffer = 0;  // bytes, shared by inputs and outputs, double buffered
  std::map<VectorOp, VectorOpCost> ops;
};

struct GlobalBufferSpec {
  uint64_t size = 0;            // bytes
  ByteRate rate;                // port bandwidth to the chunks
  bool weights_bypass = false;  // `bypass: ["weights"]`: weights go from DRAM straight into the chunks
  AccessEnergy access;          // pJ per byte, when given
};

struct DramSpec {
  ByteRate rate;
  uint64_t latency_cycles = 0;
  uint64_t burst_bytes = 0;
  AccessEnergy access;  // pJ per byte, when given
};

// The ViTCoD-style sparse-attention engine (docs/sparse-attention.md): MAC lines shared by a denser and a
// sparser engine, its own Q/K/V/index/output buffers, the polarization threshold and the Q/K encoder.
struct SparseAttentionSpec {
  int mac_lines = 64;
  int macs_per_line = 8;
  PeFormat pe;  // both operands act_bits wide; accumulator acc_bits
  uint64_t q_buffer = 0, k_buffer = 0, v_buffer = 0, index_buffer = 0, output_buffer = 0;  // bytes
  int global_threshold = 50;             // a key column with more kept entries than this is a global token
  bool polarize = true;                  // false: every column goes to the sparser engine
  bool encoder = true;                   // compress Q and K across heads before they leave the engine
  int64_t ratio_num = 2, ratio_den = 3;  // the encoder keeps ceil(heads * num / den) compressed heads
  bool use = true;                       // false: attention runs dense on the multiplier chunk (ablation)
  int gather_lines = 0;  // line-beats the Q and V buffers' gather ports serve per cycle; 0: every line

  int compressed_heads(int heads) const {
    return int((int64_t(heads) * ratio_num + ratio_den - 1) / ratio_den);
  }
};

// The units of the accelerator model, in index order: chunks, the vector unit, the sparse-attention engine.
enum class UnitKind { Chunk, Vector, SparseEngine };

// One unit as every part that counts or names units sees it: energy (leakage, idle), area, reports, the CLI.
struct UnitDesc {
  UnitKind kind = UnitKind::Chunk;
  int index = 0;             // in the accelerator model
  std::string name;          // the chunk's name, "vector", "sparse_attn"
  OpType op = OpType::Mult;  // what one of its PEs computes (vector lanes: costed as 16-bit mult + add)
  PeFormat pe;               // operand and accumulator widths
  int pes = 0;               // PEs, vector lanes, or MACs (lines x MACs per line)
  uint64_t sram_bytes = 0;   // all its buffers
  bool idles = false;        // its PEs draw idle energy when they do not compute (chunks, the engine's MACs)
};

struct ArchSpec {
  std::string file;
  std::string name;
  std::string description;
  double clock_hz = 0;
  std::vector<ChunkSpec> chunks;
  GlobalBufferSpec global_buffer;
  DramSpec dram;
  VectorUnitSpec vector_unit;
  std::optional<SparseAttentionSpec> sparse_attention;
  Technology technology;
  std::string technology_file;

  // The chunk that runs `op` (the first one listed), or nullptr.
  const ChunkSpec* chunk_for(OpType op) const;
  // Unit indices in the accelerator model: chunks first, then the vector unit, then the sparse engine.
  int vector_unit_index() const { return int(chunks.size()); }
  int sparse_engine_index() const { return int(chunks.size()) + 1; }
  int unit_count() const { return int(chunks.size()) + (sparse_attention ? 2 : 1); }
  std::vector<UnitDesc> units() const;
  // Every figure of the architecture and its technology table as one string: equal fingerprints cost every
  // mapping alike (what the mapper's cache is keyed by), whatever file or edit they came from.
  std::string fingerprint() const;
  UnitDesc unit(int index) const;
  std::string unit_name(int index) const { return unit(index).name; }
  double cycles_to_us(double cycles) const { return cycles / clock_hz * 1e6; }
};

// Reads and validates an architecture file. Throws InputError.
ArchSpec read_arch(const std::string& file);
ArchSpec read_arch(const JsonField& root);

// An architecture document read from `arch_file`, made valid in any folder: a technology table named by a
// relative path becomes its absolute path (a preset name such as "45nm" and an inline table stay), and so
// does a relative "$schema".
nlohmann::json with_portable_technology(nlohmann::json doc, const std::string& arch_file);

}  // namespace cosim
