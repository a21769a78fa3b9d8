#include "mapper/tensor_residency.hpp"

#include <algorithm>

#include "model/buffering.hpp"
#include "model/memory_transfer.hpp"

namespace cosim {

namespace {

// Bytes per layer, with range add and range maximum in O(log n): a tensor's life can span most of a
// network of 100,000 layers, and each is checked against every layer of it.
class LayerBytes {
 public:
  explicit LayerBytes(size_t n) : n_(std::max<size_t>(n, 1)), max_(4 * n_, 0), add_(4 * n_, 0) {}
  void add(size_t lo, size_t hi, uint64_t v) { add(1, 0, n_ - 1, lo, hi, v); }  // [lo, hi]
  uint64_t max(size_t lo, size_t hi) const { return max(1, 0, n_ - 1, lo, hi); }
  uint64_t at(size_t i) const { return max(i, i); }

 private:
  void add(size_t node, size_t l, size_t r, size_t lo, size_t hi, uint64_t v) {
    if (hi < l || r < lo) return;
    if (lo <= l && r <= hi) {
      max_[node] += v, add_[node] += v;
      return;
    }
    const size_t mid = l + (r - l) / 2;
    add(2 * node, l, mid, lo, hi, v);
    add(2 * node + 1, mid + 1, r, lo, hi, v);
    max_[node] = add_[node] + std::max(max_[2 * node], max_[2 * node + 1]);
  }
  uint64_t max(size_t node, size_t l, size_t r, size_t lo, size_t hi) const {
    if (hi < l || r < lo) return 0;
    if (lo <= l && r <= hi) return max_[node];
    const size_t mid = l + (r - l) / 2;
    return add_[node] + std::max(max(2 * node, l, mid, lo, hi), max(2 * node + 1, mid + 1, r, lo, hi));
  }
  size_t n_;
  std::vector<uint64_t> max_, add_;
};

// Room a GEMM layer needs for its staged tiles: a strip of the array's width of its input, weights and
// output, double buffered (the smallest global-buffer tiling worth having: model/buffering.hpp).
uint64_t staging_reserve(const ArchSpec& arch, const Layer& l) {
  if (l.work != WorkKind::Gemm) return 0;
  const ChunkSpec* c = arch.chunk_for(l.op);
  if (!c) return 0;
  const uint64_t rows = uint64_t(std::min<int64_t>(l.gemm.m, c->rows));
  const uint64_t cols = uint64_t(std::min<int64_t>(l.gemm.n, c->cols)), k = uint64_t(l.gemm.k);
  const int b_bits = l.b_is_weight ? l.weight_bits : l.act_bits;
  const bool b_bypass = l.b_is_weight && arch.global_buffer.weights_bypass;  // weights not staged
  const uint64_t strip = bytes_of(rows * k, l.act_bits) + (b_bypass ? 0 : bytes_of(k * cols, b_bits)) +
                         bytes_of(rows * cols, l.out_bits);
  return kBufferSlots * strip;
}

}  // namespace

TensorResidency plan_residency(const Network& net, const ArchSpec& arch, const std::vector<uint64_t>& stored,
                               const std::vector<int>& source) {
  const size_t n = net.layers.size();
  TensorResidency r;
  r.in_dram.assign(n, true);
  r.resident_bytes.assign(n, 0);
  r.staging_reserve.assign(n, 0);
  std::vector<int64_t> last_use(n, -1);
  for (size_t j = 1; j < n; ++j) {
    if (net.layers[j].work == WorkKind::None) continue;
    for (int in : net.layers[j].inputs) {
      const size_t src = size_t(source[size_t(in)]);
      last_use[src] = std::max(last_use[src], int64_t(j));
    }
  }
  LayerBytes held(n);  // kept tensors' bytes + staging reserve, per layer
  for (size_t j = 1; j < n; ++j) {
    r.staging_reserve[j] = staging_reserve(arch, net.layers[j]);
    held.add(j, j, r.staging_reserve[j]);
  }
  const uint64_t capacity = arch.global_buffer.size;
  for (size_t i = 1; i < n; ++i) {
    const Layer& l = net.layers[i];
    if (l.work == WorkKind::None) {
      r.in_dram[i] = r.in_dram[size_t(source[i])];
      continue;
    }
    if (last_use[i] < 0) continue;  // nothing reads it: the network's result goes to DRAM
    const size_t last = size_t(last_use[i]);
    // In place: a vector layer writing over a kept input that dies here and is no smaller.
    bool in_place = false;
    if (l.work == WorkKind::Vector) {
      for (int in : l.inputs) {
        const size_t src = size_t(source[size_t(in)]);
        in_place = in_place || (!r.in_dram[src] && last_use[src] == int64_t(i) && stored[src] >= stored[i]);
      }
    }
    const uint64_t size = stored[i], at_birth = in_place ? 0 : size;
    if (size > capacity) continue;
    bool fits = held.at(i) + at_birth <= capacity;
    if (fits && last > i) fits = held.max(i + 1, last) + size <= capacity;
    if (!fits) continue;
    r.in_dram[i] = false;
    held.add(i, i, at_birth);
    if (last > i) held.add(i + 1, last, size);
  }
  for (size_t j = 1; j < n; ++j) r.resident_bytes[j] = held.at(j) - r.staging_reserve[j];
  return r;
}

}  // namespace cosim
