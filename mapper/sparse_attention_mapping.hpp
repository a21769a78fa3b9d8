// Mapping a masked attention onto the sparse-attention engine (docs/sparse-attention.md): per head, the mask
// is polarized, the SDDMM (Q.K^T on kept entries) and the SpMM (S.V) run on the engine's denser and sparser
// MAC lines, the softmax of the kept scores on the vector unit.
#pragma once

#include <vector>

#include "mapper/polarization.hpp"
#include "plan/layer_plan.hpp"
#include "spec/arch_spec.hpp"
#include "spec/network.hpp"

namespace cosim {

// The engine runs an attention when it exists, is switched on, and the attention has a mask.
bool runs_on_sparse_engine(const ArchSpec& arch, const Layer& l);

// Polarization of every head of an attention, with the architecture's threshold and switch.
std::vector<HeadPolarization> polarize_attention(const ArchSpec& arch, const AttentionInfo& a);

// Scores kept for the softmax, per batch item: every head's dense block plus its sparse entries.
uint64_t stored_scores(const std::vector<HeadPolarization>& heads);

// The engine as its timing sees it: MAC lines, the head's width, MACs per line, and the line-beats its gather
// ports serve per cycle (0: every line).
struct EngineShape {
  int lines = 0, head_dim = 0, macs_per_line = 0, gather_lines = 0;
};

// Cycles of one head's SDDMM and SpMM phases (without the encoder's) with `lines_dense` of the lines on the
// denser engine and the rest on the sparser (model/engine_timing.hpp).
uint64_t engine_phase_cycles(const HeadPolarization& hp, int lines_dense, const EngineShape& e);

// MAC lines of the denser engine for one head. The engines are re-partitioned between heads (a line takes its
// operands from the broadcast bus or from its own gather port, docs/sparse-attention.md): each head gets the
// split with the fewest phase cycles, at least one line for each engine that has work; among equally fast
// splits, the one nearest ViTCoD's work-proportional split (its dense_ratio).
int engine_dense_lines(const HeadPolarization& hp, const EngineShape& e);

struct SparseAttentionHomes {
  bool qkv_dram = false;     // where the packed q, k, v tensor is
  bool scores_dram = false;  // SDDMM output / softmax input
  bool probs_dram = false;   // softmax output / SpMM input
  bool out_dram = false;     // the attention's output
};

// Fills the three plans (their `layer` and `deps` are set by the caller). Throws InputError when a head does
// not fit the engine's buffers, naming the buffer.
void plan_sparse_attention(const ArchSpec& arch, const Network& net, const Layer& qk,
                           const SparseAttentionHomes& homes, LayerPlan& sddmm, LayerPlan& softmax,
                           LayerPlan& spmm);

}  // namespace cosim
