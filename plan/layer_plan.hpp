// What a layer asks of the accelerator once it is mapped: the unit it runs on, the tiles it is cut into (each
// with its loads, compute cycles and stores), and the action counts its energy is computed from.
// Produced by the mapper (mapper/), consumed by the accelerator model (sim/accel/) and the energy model
// (model/energy_model.hpp): the contract between the two sides, below both.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "spec/op_types.hpp"

namespace cosim {

// A transfer on the DRAM channel or the global buffer's port. In a tile's loads and stores it moves a tile
// between the unit's buffers and memory: from the global buffer, or straight from DRAM for a tensor that
// bypasses the global buffer (and the sparse engine's and vector unit's own traffic). Fetches and writebacks
// move a global-buffer tile between DRAM and the global buffer.
struct Transfer {
  uint64_t bytes = 0;
  bool dram =
      false;  // over the DRAM channel (bytes are already rounded up to whole bursts); else GLB port only
  bool operator==(const Transfer& o) const { return bytes == o.bytes && dram == o.dram; }
};

// One tile a unit runs (docs/accelerator-model.md): the load thread fetches (DRAM -> global buffer, the data
// of a global-buffer tile this tile is the first to use), then loads into the unit's buffers; the compute
// thread computes; the store thread stores out of the unit's buffers, then writes back (global buffer ->
// DRAM, the global-buffer tile this tile completes).
struct TileStep {
  std::vector<Transfer> fetches;
  std::vector<Transfer> loads;
  uint64_t compute_cycles = 0;   // from the tile's start on its unit until its results are complete
  uint64_t compute_overlap = 0;  // the last of those cycles, during which the unit may start the next tile
                                 // (pipelined folds, docs/pe-array.md); the unit is busy for the others
  std::vector<Transfer> stores;  // empty while partial sums stay in the output buffer
  std::vector<Transfer> writebacks;
};

// Which tensor bytes belong to, for traffic by tensor: a GEMM's first operand (a vector layer's inputs), its
// second operand (weights, or K, V of an attention), its result, the partial sums of a GEMM whose reduction
// is cut at the global-buffer level (they leave the chunk's output buffer and come back), the sparse
// engine's mask index.
enum class TensorRole { Input, Weight, Output, Psum, Index };

// Bytes moved at one memory level, by tensor.
struct TensorBytes {
  double input = 0, weight = 0, output = 0, psum = 0, index = 0;
  double& operator[](TensorRole r) {
    return r == TensorRole::Input    ? input
           : r == TensorRole::Weight ? weight
           : r == TensorRole::Output ? output
           : r == TensorRole::Psum   ? psum
                                     : index;
  }
  double total() const { return input + weight + output + psum + index; }
  TensorBytes& operator+=(const TensorBytes& o) {
    input += o.input, weight += o.weight, output += o.output, psum += o.psum, index += o.index;
    return *this;
  }
};

// Counts from which energy is computed (model/energy_model.hpp). Bytes are fractional where elements are
// narrower than a byte.
struct ActionCounts {
  uint64_t macs = 0;              // PE operations (GEMM) or element operations (vector unit)
  uint64_t psum_adds = 0;         // accumulator-width adds combining partial sums at the output buffer
  uint64_t compute_cycles = 0;    // cycles the unit's array or lanes are busy
  double input_buffer_bytes = 0;  // reads + writes of the unit's input buffer (vector unit: its one buffer)
  double weight_buffer_bytes = 0;
  double output_buffer_bytes = 0;
  double index_buffer_bytes = 0;              // sparse-attention engine only: its index buffer
  double value_buffer_bytes = 0;              // sparse-attention engine only: its V buffer
  double glb_bytes = 0;                       // reads + writes of the global buffer
  double dram_bytes = 0;                      // reads + writes of DRAM, whole bursts
  TensorBytes glb_by_tensor, dram_by_tensor;  // the same two, by tensor

  ActionCounts& operator+=(const ActionCounts& o) {
    macs += o.macs, psum_adds += o.psum_adds, compute_cycles += o.compute_cycles;
    input_buffer_bytes += o.input_buffer_bytes, weight_buffer_bytes += o.weight_buffer_bytes;
    output_buffer_bytes += o.output_buffer_bytes, index_buffer_bytes += o.index_buffer_bytes;
    value_buffer_bytes += o.value_buffer_bytes, glb_bytes += o.glb_bytes, dram_bytes += o.dram_bytes;
    glb_by_tensor += o.glb_by_tensor, dram_by_tensor += o.dram_by_tensor;
    return *this;
  }
};

struct Mapping {
  Dataflow dataflow = Dataflow::OutputStationary;
  int64_t tile_m = 0, tile_k = 0, tile_n = 0;  // buffer-level tile (vector layers: tile_m elements)
  std::string loop_order;                      // outermost first, e.g. "g n m k"
  int64_t glb_tile_m = 0, glb_tile_k = 0, glb_tile_n = 0;  // global-buffer tile of a GEMM
  std::string glb_loop_order;  // over global-buffer tiles, e.g. "g n m" (their k innermost)
  std::string input_home, weight_home, output_home;  // "DRAM" or "GLB"
};

// What the sparse-attention engine did for one head of one attention layer (SDDMM and SpMM together).
struct AttentionHeadStats {
  int head = 0;
  double sparsity = 0;  // pruned fraction of the head's N x N mask
  int global_tokens = 0;
  uint64_t kept = 0;                             // kept entries of the mask
  uint64_t dense_entries = 0;                    // N x G computed by the denser engine
  uint64_t dense_kept = 0;                       // of which kept
  uint64_t sparse_entries = 0;                   // kept entries computed by the sparser engine
  uint64_t index_bytes = 0;                      // CSC index of the sparse part
  int lines_dense = 0, lines_sparse = 0;         // the engine's MAC lines as split for this head
  uint64_t pre_cycles = 0;                       // encoder/decoder
  uint64_t dense_cycles = 0, sparse_cycles = 0;  // of each engine, SDDMM + SpMM
  uint64_t cycles = 0;                           // the head on the engine: pre + per phase max(dense, sparse)
  double dense_utilization = 0, sparse_utilization = 0;  // MACs / (lines x MACs per line x cycles)
  uint64_t bytes_moved = 0;                              // loads and stores of both phases
  ActionCounts actions;                                  // both phases, for the head's energy
};

struct AttentionLayerStats {
  std::string attention;  // the attention layer's name
  std::string mask_source;
  int mask_layer = 0;
  bool polarized = true, encoded = true;
  int compressed_heads = 0;
  std::vector<AttentionHeadStats> heads;
};

struct LayerPlan {
  int layer = 0;  // index in Network::layers
  int unit = 0;   // chunk index, or Accelerator's vector unit index (= number of chunks)
  int item = 0;   // batch item, in pipelined schedules (mapper/network_schedule.hpp)
  // A pass of a dense attention run head group by head group (mapper/tensor_residency.hpp): the first of its
  // GEMM groups (heads x batch items) and how many; pass_groups 0: the whole layer.
  int64_t pass_first = 0, pass_groups = 0;
  std::vector<int> deps;  // indices of the plans this one waits for
  // Next-layer weight prefetch: the last `prefetch_fetches` of the first tile's fetches (its weights' first
  // global-buffer tile) are requested as soon as the unit's load thread takes the plan, or once plan
  // `prefetch_after` has ended if that is not -1, while the plans it waits for may still run; the rest of
  // its fetches when they are done. Set by the mapper where the global buffer has room
  // (mapper/network_mapper.cpp); a plan run alone times the same either way.
  int prefetch_fetches = 0;
  int prefetch_after = -1;
  uint64_t glb_footprint = 0;  // global-buffer bytes its staged tiles hold at once (a GEMM's tile)
  Mapping mapping;
  std::vector<TileStep> tiles;
  ActionCounts actions;
  std::shared_ptr<const AttentionLayerStats> attention;  // on the SDDMM plan of a sparse attention

  // The mapping as reports show it: prefetched weights say so in their home ("DRAM (prefetched)").
  Mapping shown_mapping() const {
    Mapping m = mapping;
    if (prefetch_fetches > 0) m.weight_home += " (prefetched)";
    return m;
  }
};

// A plan's name in reports: its layer's, with the heads of an attention pass ("block0.attn.qk.heads0-2",
// "block0.attn.qk.heads3") and the batch item of a pipelined schedule ("fc#1").
inline std::string plan_name(const std::string& layer, const LayerPlan& p, int items) {
  std::string s = layer;
  if (p.pass_groups > 0) s += ".heads" + std::to_string(p.pass_first);
  if (p.pass_groups > 1) s += "-" + std::to_string(p.pass_first + p.pass_groups - 1);
  if (items > 1) s += "#" + std::to_string(p.item);
  return s;
}

}  // namespace cosim
