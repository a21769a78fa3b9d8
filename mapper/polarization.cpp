#include "mapper/polarization.hpp"

namespace cosim {

uint64_t csc_index_bytes(int n, uint64_t columns, uint64_t nnz) {
  if (nnz == 0) return 0;
  int row_bits = 1;
  while ((1 << row_bits) < n) ++row_bits;
  const uint64_t ptr_bits = nnz >= 65536 ? 32 : 16;
  return ((columns + 1) * ptr_bits + nnz * uint64_t(row_bits) + 7) / 8;
}

HeadPolarization polarize(const uint8_t* pruned, int n, int threshold, bool enabled) {
  HeadPolarization p;
  p.n = n;
  std::vector<uint32_t> counts(size_t(n), 0);
  for (int q = 0; q < n; ++q) {
    const uint8_t* row = pruned + size_t(q) * size_t(n);
    for (int k = 0; k < n; ++k) counts[size_t(k)] += row[k] == 0;
  }
  uint64_t sparse_column_count = 0;
  for (int k = 0; k < n; ++k) {
    const uint32_t c = counts[size_t(k)];
    p.kept += c;
    if (enabled && c > uint32_t(threshold)) {
      ++p.global_tokens;
      p.dense_kept += c;
    } else {
      p.sparse_entries += c;
      ++sparse_column_count;
      if (c) p.sparse_columns.push_back(c);
    }
  }
  p.dense_entries = uint64_t(n) * uint64_t(p.global_tokens);
  p.sparse_rows.assign(size_t(n), 0);
  for (int q = 0; q < n; ++q) {
    const uint8_t* row = pruned + size_t(q) * size_t(n);
    for (int k = 0; k < n; ++k) {
      const bool global = enabled && counts[size_t(k)] > uint32_t(threshold);
      p.sparse_rows[size_t(q)] += row[k] == 0 && !global;
    }
  }
  p.index_bytes = csc_index_bytes(n, sparse_column_count, p.sparse_entries);
  return p;
}

}  // namespace cosim
