// ViTCoD's polarization of one head's attention mask (Hardware/Simulator/reorder.py of GATECH-EIC/ViTCoD): a
// key column with more than `threshold` kept entries is a global token; global columns move to the front and
// form a dense block (all N queries x G columns, computed by the denser engine without indices); the kept
// entries of the other columns go to the sparser engine in CSC form (docs/sparse-attention.md).
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace cosim {

struct HeadPolarization {
  int n = 0;
  int global_tokens = 0;                 // G
  uint64_t kept = 0;                     // kept entries of the whole N x N mask
  uint64_t dense_entries = 0;            // N x G, computed whether kept or not
  uint64_t dense_kept = 0;               // kept entries inside the global columns
  uint64_t sparse_entries = 0;           // kept entries outside them (nnz of the sparse part)
  std::vector<uint32_t> sparse_columns;  // kept entries of each non-empty non-global column, in key order
  std::vector<uint32_t> sparse_rows;     // kept entries of each query row outside the global columns
  uint64_t index_bytes = 0;              // CSC of the sparse part: column pointers + row indices

  double sparsity() const { return 1.0 - double(kept) / (double(n) * double(n)); }
};

// `pruned` is N x N, [query][key], 1 = pruned. With `enabled` false every column is sparse (G = 0).
HeadPolarization polarize(const uint8_t* pruned, int n, int threshold, bool enabled);

// Bytes of a CSC index over `columns` columns of an N-row matrix with `nnz` entries: (columns + 1) pointers
// of 16 bits (32 when nnz >= 65536) and nnz row indices of ceil(log2 N) bits each.
uint64_t csc_index_bytes(int n, uint64_t columns, uint64_t nnz);

}  // namespace cosim
