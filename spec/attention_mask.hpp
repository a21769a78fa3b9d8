// Fixed attention masks, ViTCoD convention: layers x heads x N x N booleans, true = pruned (the score is
// masked to -inf before softmax), indexed [layer][head][query][key].
// From a numpy .npy file (bool or uint8, C order; anything else is refused with one line), or generated from
// a seed: global key columns, a local window around the diagonal, and random entries to a target sparsity.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace cosim {

struct MaskSet {
  std::string source;  // file path, or a description of the generator's parameters
  int layers = 0, heads = 0, n = 0;
  std::vector<uint8_t> pruned;  // layers * heads * n * n, 1 = pruned

  const uint8_t* head(int layer, int h) const {
    return pruned.data() + (size_t(layer) * size_t(heads) + size_t(h)) * size_t(n) * size_t(n);
  }
};

// Reads a .npy mask. Throws InputError(file, "", problem): not an .npy (magic), unsupported version, a dtype
// other than bool/uint8, Fortran order, a shape that is not 4-D with N x N last, or a truncated file.
std::shared_ptr<const MaskSet> load_npy_mask(const std::string& file);
constexpr uintmax_t kMaxNpyBytes = uintmax_t(4) << 30;  // the largest mask file read

struct MaskGenerator {
  double sparsity = 0.9;  // fraction of entries pruned
  int global_tokens = 1;  // key columns kept whole; column 0 (the class token) is always one of them
  int window = 0;         // entries with |query - key| <= window are kept
  uint64_t seed = 0;
};

// Generates one layer of `heads` masks of N x N. `layer` selects an independent random stream, so the layers
// of a network differ yet the whole is reproducible from the seed. Throws std::invalid_argument when the
// global columns and window alone keep more than the target.
std::shared_ptr<const MaskSet> generate_mask(const MaskGenerator& g, int layer, int heads, int n);

}  // namespace cosim
