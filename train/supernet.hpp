// A weight-sharing supernet built from a space's layout (nas/supernet_layout.hpp): fixed layers, and per
// choice slot one layer stack per option with its own weights and batch norms (single-path one-shot, Guo et
// al., ECCV 2020). A path -- one option per gene, i.e. a candidate -- selects the network that runs. Every
// convolution is followed by batch norm and ReLU, except the last one of a block (a linear bottleneck, as in
// MBConv) and the classifier; the workload leaves these to the hardware's post-processing and does not cost
// them.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <torch/torch.h>
#include <nlohmann/json.hpp>

#include "train/operators.hpp"

namespace cosim::train {

using Path = std::vector<int>;  // an option index per gene

struct Activation {
  int64_t channels = 0, height = 0, width = 0;
};

// The layers of one fixed layer or one option of a slot.
class LayerStackImpl : public torch::nn::Module {
 public:
  LayerStackImpl(const nlohmann::json& layers, const nlohmann::json& bits, bool block, Activation& shape,
                 double adder_eta);
  torch::Tensor forward(const torch::Tensor& x);

 private:
  enum class Kind { conv, residual, global_pool, classifier };
  struct Step {
    Kind kind;
    OpConv2d conv{nullptr};
    torch::nn::BatchNorm2d norm{nullptr};
    bool relu = false;
  };
  std::vector<Step> steps_;
  void add_conv(const nlohmann::json& layer, const nlohmann::json& bits, Activation& shape, double adder_eta,
                bool classifier);
};
TORCH_MODULE(LayerStack);

class SupernetImpl : public torch::nn::Module {
 public:
  // With `only`, the options of that path alone are built (a standalone network).
  SupernetImpl(const nlohmann::json& layout, std::optional<Path> only, double adder_eta);
  torch::Tensor forward(const torch::Tensor& x, const Path& path);
  size_t genes() const { return gene_options_.size(); }
  int options(size_t gene) const { return gene_options_[gene]; }
  // Whether an option of a gene computes with multipliers only (every conv `mult`; a skipped block too).
  bool multiplier_only(size_t gene, int option) const { return multiplier_only_[gene][size_t(option)]; }
  Activation input() const { return input_; }

 private:
  struct Slot {
    LayerStack fixed{nullptr};
    int gene = -1;
    std::vector<LayerStack> options;  // null: the block is skipped (or not built)
  };
  std::vector<Slot> slots_;
  std::vector<int> gene_options_;
  std::vector<std::vector<bool>> multiplier_only_;  // per gene and option
  Activation input_;
  std::optional<Path> only_;
};
TORCH_MODULE(Supernet);

// Batch-norm statistics of the network of `path`, re-estimated as the plain average over the batches of
// `images` (SPOS, Guo et al. 2020: the statistics a shared batch norm keeps while training belong to a mix
// of paths). Only the batch norms learn; everything else, the quantizers' activation ranges included, stays
// as trained. The network is left in evaluation mode, its batch norms back to their training momentum.
void recalibrate_batch_norms(SupernetImpl& net, const Path& path, const torch::Tensor& images, int64_t batch);

// A path drawn uniformly: each gene's option with equal probability; with `multipliers_only`, each gene's
// option among those that compute with multipliers only (all of them when a gene has none).
template <typename Rng>
Path sample_path(const SupernetImpl& net, Rng& rng, bool multipliers_only = false) {
  Path p(net.genes());
  for (size_t g = 0; g < p.size(); ++g) {
    std::vector<int> allowed;
    for (int o = 0; o < net.options(g); ++o)
      if (!multipliers_only || net.multiplier_only(g, o)) allowed.push_back(o);
    if (allowed.empty())
      for (int o = 0; o < net.options(g); ++o) allowed.push_back(o);
    p[g] = allowed[size_t(rng() % uint64_t(allowed.size()))];
  }
  return p;
}

}  // namespace cosim::train
