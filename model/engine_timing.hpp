// Closed-form cycles of the sparse-attention engine's MAC lines (docs/sparse-attention.md), proven equal to
// the clocked level-1 model (mac_line_group.hpp) by tests/sparse_attention.
//
// Work arrives as groups; a group gives each line a queue of entries, and the next group starts when every
// line has finished the current one. An entry is a dot product (SDDMM: q_i . k_j) or a scaled row (SpMM:
// s_ij * v_j) of head_dim elements, ceil(head_dim / macs_per_line) beats on one line. A line has a two-stage
// pipeline, so the last result appears one cycle after the last beat. The schedules
// (docs/sparse-attention.md):
//   denser engine, SDDMM and SpMM: one group; query rows dealt round-robin, each line holds its row while the
//                 K (or V) rows of the G global columns are broadcast to all lines in turn
//   sparser engine, SDDMM: one group, every kept entry in key order dealt round-robin (ViTCoD's packing)
//   sparser engine, SpMM:  one group, query row i on line i mod lines, with its kept entries (row-stationary)
#pragma once

#include <algorithm>
#include <cstdint>
#include <vector>

#include "model/integer_math.hpp"

namespace cosim {

constexpr uint64_t kMacLinePipelineDrain = 1;

inline uint64_t beats_per_entry(int head_dim, int macs_per_line) {
  return uint64_t((head_dim + macs_per_line - 1) / macs_per_line);
}

// The denser engine, SDDMM or SpMM: G global columns over N queries.
inline uint64_t dense_engine_cycles(uint64_t global_columns, int n, int lines, int head_dim,
                                    int macs_per_line) {
  if (global_columns == 0 || lines <= 0) return 0;
  return global_columns * ceil_div(uint64_t(n), uint64_t(lines)) * beats_per_entry(head_dim, macs_per_line) +
         kMacLinePipelineDrain;
}

// The sparser engine, SDDMM: `entries` kept entries packed round-robin.
inline uint64_t sparse_sddmm_cycles(uint64_t entries, int lines, int head_dim, int macs_per_line) {
  if (entries == 0 || lines <= 0) return 0;
  return ceil_div(entries, uint64_t(lines)) * beats_per_entry(head_dim, macs_per_line) +
         kMacLinePipelineDrain;
}

// The sparser engine, SpMM: row i (with row_entries[i] kept entries) on line i mod lines.
inline uint64_t sparse_spmm_cycles(const std::vector<uint32_t>& row_entries, int lines, int head_dim,
                                   int macs_per_line) {
  if (lines <= 0) return 0;
  std::vector<uint64_t> queue(size_t(lines), 0);
  for (size_t i = 0; i < row_entries.size(); ++i) queue[i % size_t(lines)] += row_entries[i];
  const uint64_t longest = *std::max_element(queue.begin(), queue.end());
  if (longest == 0) return 0;
  return longest * beats_per_entry(head_dim, macs_per_line) + kMacLinePipelineDrain;
}

}  // namespace cosim
