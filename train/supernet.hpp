// A weight-sharing supernet built from a space's layout (nas/supernet_layout.hpp): fixed layers, and per
// choice slot the layer stacks of its options (single-path one-shot, Guo et al., ECCV 2020). A path -- one
// option per gene, i.e. a candidate -- selects the network that runs. The options of a slot that differ only
// in kernel and channel counts (cnn_fmnist: one operator, expansion 3 or 6, kernel 3 or 5) share one stack of
// the largest shapes, each running a slice of it -- the first channels, the kernel's centre (weight sharing
// across kernel and width as in Once-for-All, Cai et al., ICLR 2020, without its kernel transform) -- so each
// weight trains on every path through any of them. Every
// convolution is followed by batch norm and ReLU, except the last one of a block (a linear bottleneck, as in
// MBConv) and the classifier; the workload leaves these to the hardware's post-processing and does not cost
// them.
#pragma once

#include <algorithm>
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
  torch::Tensor forward(const torch::Tensor& x) { return forward(x, nullptr); }
  // With `shapes` (one per convolution), as the smaller stack of those shapes running a slice of the weights
  // and batch norms (OpConv2dImpl::forward).
  torch::Tensor forward(const torch::Tensor& x, const std::vector<ConvShape>* shapes);

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
  // The operators an option of a gene computes with: an index into operators(), -1 for a skipped block.
  int operator_of(size_t gene, int option) const { return operator_of_[gene][size_t(option)]; }
  // The distinct operators of the options, each the sorted "+"-joined ops of its convolutions ("mult",
  // "adder+shift"), in the order they first appear.
  const std::vector<std::string>& operators() const { return operators_; }
  // Whether an option of a gene computes with multipliers only (every conv `mult`; a skipped block too).
  bool multiplier_only(size_t gene, int option) const {
    const int op = operator_of(gene, option);
    return op < 0 || operators_[size_t(op)] == "mult";
  }
  Activation input() const { return input_; }

 private:
  struct Slot {
    LayerStack fixed{nullptr};
    int gene = -1;
    std::vector<LayerStack> stacks;              // each shared by the options of one structure
    std::vector<int> stack_of;                   // per option; -1: the block is skipped (or not built)
    std::vector<std::vector<ConvShape>> shapes;  // per option, its convolutions
  };
  void add_choice_slot(const nlohmann::json& slot, const nlohmann::json& bits, Activation& at,
                       double adder_eta);
  int operator_index(const nlohmann::json& option);  // found in operators_, or added to it
  std::vector<Slot> slots_;
  std::vector<int> gene_options_;
  std::vector<std::vector<int>> operator_of_;  // per gene and option
  std::vector<std::string> operators_;
  Activation input_;
  std::optional<Path> only_;
};
TORCH_MODULE(Supernet);

// The shape of each convolution (and linear layer) of `layers`, given the activation entering them.
std::vector<ConvShape> conv_shapes(const nlohmann::json& layers, Activation in);

// Batch-norm statistics of the network of `path`, re-estimated as the plain average over the batches of
// `images` (SPOS, Guo et al. 2020: the statistics a shared batch norm keeps while training belong to a mix
// of paths). Only the batch norms learn; everything else, the quantizers' activation ranges included, stays
// as trained. The network is left in evaluation mode, its batch norms back to their training momentum.
void recalibrate_batch_norms(SupernetImpl& net, const Path& path, const torch::Tensor& images, int64_t batch);

// An index drawn with the given weights (at least one positive), from the rng's own bits: the standard
// distributions differ between libraries, and a seed must give the same paths everywhere.
template <typename Rng>
int draw(const std::vector<double>& weights, Rng& rng) {
  double total = 0;
  for (double w : weights) total += w;
  double u = double(rng() >> 11) * 0x1.0p-53 * total;
  int chosen = 0;
  while (chosen + 1 < int(weights.size()) && (u >= weights[size_t(chosen)] || weights[size_t(chosen)] == 0))
    u -= weights[size_t(chosen++)];
  while (weights[size_t(chosen)] == 0) --chosen;  // rounding past the last drawable option
  return chosen;
}

// A path: per gene, an option drawn with weight `weight(gene, option)`; uniformly among all options when a
// gene has none of positive weight.
template <typename Rng, typename Weight>
Path sample_path_weighted(const SupernetImpl& net, Rng& rng, Weight&& weight) {
  Path p(net.genes());
  for (size_t g = 0; g < p.size(); ++g) {
    std::vector<double> weights;
    bool any = false;
    for (int o = 0; o < net.options(g); ++o) {
      weights.push_back(weight(g, o));
      any = any || weights.back() > 0;
    }
    if (!any) std::fill(weights.begin(), weights.end(), 1.0);
    p[g] = draw(weights, rng);
  }
  return p;
}

// A path: each gene's option drawn with weight 1 if it computes with multipliers only (a skip too) and
// `others` otherwise. 1: uniformly (SPOS); 0: among the multiplier options alone (all options when a gene has
// none); in between, the other operators join gradually.
template <typename Rng>
Path sample_path(const SupernetImpl& net, Rng& rng, double others = 1) {
  return sample_path_weighted(net, rng,
                              [&](size_t g, int o) { return net.multiplier_only(g, o) ? 1.0 : others; });
}

// A path of one operator: the operator drawn first (multipliers with weight 1, every other with `others`),
// then each gene's option uniformly among that operator's options and the skip. A uniform path mixes
// operators almost always (with four operators, a block is of a given one a quarter of the time), so the
// networks of one operator -- the ends of the front: all multipliers, or none -- would otherwise be paths
// the shared weights never ran (docs/training.md, "Fourth measurement: one-operator paths").
template <typename Rng>
Path sample_one_operator_path(const SupernetImpl& net, Rng& rng, double others) {
  std::vector<double> weights;
  for (const std::string& op : net.operators()) weights.push_back(op == "mult" ? 1.0 : others);
  if (std::none_of(weights.begin(), weights.end(), [](double w) { return w > 0; }))
    weights.assign(weights.size(), 1.0);
  const int op = weights.empty() ? -1 : draw(weights, rng);
  return sample_path_weighted(net, rng, [&](size_t g, int o) {
    const int of = net.operator_of(g, o);
    return of < 0 || of == op ? 1.0 : 0.0;
  });
}

}  // namespace cosim::train
