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
//   sparser engine, SpMM:  one group; the kept entries in row order, packed into the lines in runs of at most
//                 ceil(entries / lines): a row that crosses the end of a line's run continues on the next
//                 line, and each line's part of it is added into the output buffer when the line moves on
//                 (as every row is), so no row sets a floor
// The sparser engine's lines gather the row each entry streams (SDDMM: the query's, SpMM: the value's) from
// the Q (V) buffer's gather port, which serves `gather_lines` line-beats per cycle (0: every line, every
// cycle). When fewer lines may issue than have work, the port serves the lines with the most beats left
// (ties: lower line first), which finishes a group in max(ceil(total beats / gather_lines), longest line's
// beats) cycles -- the optimum for chains of unit steps on gather_lines servers (Hu, 1961: highest level
// first). The denser engine reads through the broadcast port and never waits for the gather port.
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

// Beats of a group on the sparser engine: its longest line's, or the gather port's share when it binds.
inline uint64_t gathered_beats(uint64_t longest_line_beats, uint64_t total_beats, int gather_lines) {
  if (gather_lines <= 0) return longest_line_beats;
  return std::max(longest_line_beats, ceil_div(total_beats, uint64_t(gather_lines)));
}

// The sparser engine, SDDMM: `entries` kept entries packed round-robin.
inline uint64_t sparse_sddmm_cycles(uint64_t entries, int lines, int head_dim, int macs_per_line,
                                    int gather_lines) {
  if (entries == 0 || lines <= 0) return 0;
  const uint64_t beats = beats_per_entry(head_dim, macs_per_line);
  return gathered_beats(ceil_div(entries, uint64_t(lines)) * beats, entries * beats, gather_lines) +
         kMacLinePipelineDrain;
}

// The sparser engine, SpMM: the entries of the rows (row_entries[i] kept entries of row i) in runs of
// ceil(entries / lines) per line.
inline uint64_t sparse_spmm_run(const std::vector<uint32_t>& row_entries, int lines) {
  uint64_t entries = 0;
  for (uint32_t c : row_entries) entries += c;
  return lines <= 0 ? 0 : ceil_div(entries, uint64_t(lines));
}

inline uint64_t sparse_spmm_cycles(const std::vector<uint32_t>& row_entries, int lines, int head_dim,
                                   int macs_per_line, int gather_lines) {
  const uint64_t run = sparse_spmm_run(row_entries, lines);
  if (run == 0) return 0;
  uint64_t entries = 0;
  for (uint32_t c : row_entries) entries += c;
  const uint64_t beats = beats_per_entry(head_dim, macs_per_line);
  return gathered_beats(run * beats, entries * beats, gather_lines) + kMacLinePipelineDrain;
}

// Rows parts beyond one per row that the runs make (each a partial row more added into the output buffer).
inline uint64_t sparse_spmm_split_parts(const std::vector<uint32_t>& row_entries, int lines) {
  const uint64_t run = sparse_spmm_run(row_entries, lines);
  uint64_t at = 0, extra = 0;
  for (uint32_t c : row_entries) {
    if (c > 0) extra += (at + c - 1) / run - at / run;  // lines the row's entries reach, less one
    at += c;
  }
  return extra;
}

}  // namespace cosim
