#include "mapper/tensor_residency.hpp"

#include <algorithm>

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
// output (the smallest global-buffer tiling worth having; one tile at a time, mapper/gemm_tiling.hpp).
uint64_t staging_reserve(const ArchSpec& arch, const Layer& l) {
  if (l.work != WorkKind::Gemm) return 0;
  const ChunkSpec* c = arch.chunk_for(l.op);
  if (!c) return 0;
  const uint64_t rows = uint64_t(std::min<int64_t>(l.gemm.m, c->rows));
  const uint64_t cols = uint64_t(std::min<int64_t>(l.gemm.n, c->cols)), k = uint64_t(l.gemm.k);
  const int b_bits = l.b_is_weight ? l.weight_bits : l.act_bits;
  const bool b_bypass = l.b_is_weight && arch.global_buffer.weights_bypass;  // weights not staged
  const uint64_t strip =
      bytes_of(staged_input_elements(l.conv, int64_t(rows), int64_t(k), int64_t(k)), l.act_bits) +
      (b_bypass ? 0 : bytes_of(k * cols, b_bits)) + bytes_of(rows * cols, l.out_bits);
  return strip;
}

// A tensor's place in the buffer: kept from its birth at layer i to its last use.
struct Life {
  size_t birth = 0, last = 0;
  uint64_t at_birth = 0, size = 0;  // bytes taken at birth (0 when written in place) and after it
};

bool fits(const LayerBytes& held, const Life& t, uint64_t capacity) {
  if (t.size > capacity || held.at(t.birth) + t.at_birth > capacity) return false;
  return t.last <= t.birth || held.max(t.birth + 1, t.last) + t.size <= capacity;
}

void keep(LayerBytes& held, const Life& t) {
  held.add(t.birth, t.birth, t.at_birth);
  if (t.last > t.birth) held.add(t.birth + 1, t.last, t.size);
}

// Heads (GEMM groups) per pass of the dense attention whose qk layer is `qk`: the most that divide its
// groups and whose scores fit; 0 when the whole fits or not even one group does.
int64_t groups_per_pass(const Network& net, const LayerBytes& held, Life scores, uint64_t capacity) {
  const Layer& l = net.layers[scores.birth];
  if (fits(held, scores, capacity)) return 0;
  const int64_t groups = l.gemm.groups;
  std::vector<int64_t> divisors;  // of groups, below it, largest first
  for (int64_t d = 1; d * d <= groups; ++d) {
    if (groups % d == 0) divisors.insert(divisors.end(), {d, groups / d});
  }
  std::sort(divisors.rbegin(), divisors.rend());
  for (int64_t g : divisors) {
    if (g == groups) continue;
    scores.at_birth = scores.size =
        bytes_of(uint64_t(g) * uint64_t(l.gemm.m) * uint64_t(l.gemm.n), l.out_bits);
    if (fits(held, scores, capacity)) return g;
  }
  return 0;
}

std::vector<int64_t> last_uses(const Network& net, const std::vector<int>& source) {
  std::vector<int64_t> last_use(net.layers.size(), -1);
  for (size_t j = 1; j < net.layers.size(); ++j) {
    if (net.layers[j].work == WorkKind::None) continue;
    for (int in : net.layers[j].inputs) {
      const size_t src = size_t(source[size_t(in)]);
      last_use[src] = std::max(last_use[src], int64_t(j));
    }
  }
  return last_use;
}

}  // namespace

TensorResidency plan_residency(const Network& net, const ArchSpec& arch, const std::vector<uint64_t>& stored,
                               const std::vector<int>& source, const std::vector<bool>& passable) {
  const size_t n = net.layers.size();
  TensorResidency r;
  r.in_dram.assign(n, true);
  r.resident_bytes.assign(n, 0);
  r.staging_reserve.assign(n, 0);
  r.groups_per_pass.assign(n, 0);
  const std::vector<int64_t> last_use = last_uses(net, source);
  std::vector<uint64_t> bytes = stored;  // attention scores run in passes: one pass's
  LayerBytes held(n);                    // kept tensors' bytes + staging reserve, per layer
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
    // In place: a vector layer writing over a kept input that dies here and is no smaller.
    bool in_place = false;
    if (l.work == WorkKind::Vector) {
      for (int in : l.inputs) {
        const size_t src = size_t(source[size_t(in)]);
        in_place = in_place || (!r.in_dram[src] && last_use[src] == int64_t(i) && bytes[src] >= bytes[i]);
      }
    }
    Life t{i, size_t(last_use[i]), in_place ? 0 : bytes[i], bytes[i]};
    if (i < passable.size() && passable[i]) {
      if (const int64_t g = groups_per_pass(net, held, t, capacity)) {
        const Layer& softmax = net.layers[i + 1];
        bytes[i] = bytes_of(uint64_t(g) * uint64_t(l.gemm.m) * uint64_t(l.gemm.n), l.out_bits);
        bytes[i + 1] = bytes_of(uint64_t(g) * uint64_t(l.gemm.m) * uint64_t(l.gemm.n), softmax.out_bits);
        r.groups_per_pass[i] = r.groups_per_pass[i + 1] = r.groups_per_pass[i + 2] = g;
        t.at_birth = t.size = bytes[i];
      }
    }
    if (!fits(held, t, capacity)) continue;
    r.in_dram[i] = false;
    keep(held, t);
  }
  for (size_t j = 1; j < n; ++j) r.resident_bytes[j] = held.at(j) - r.staging_reserve[j];
  return r;
}

}  // namespace cosim
