// The training operators of the supernet (cosim train), each matching the arithmetic the accelerator costs
// for the layer's `op` (docs/training.md):
//   mult   a convolution of fake-quantized activations and weights (symmetric, to the workload's bit widths)
//   shift  DeepShift-Q (Elhoushi et al., 2021): weights rounded to sign * 2^-s with s in [0, 2^(bits-1) - 1],
//          the range the shift PE's exponent field holds (docs/pe-array.md); gradients pass straight through
//   adder  AdderNet (Chen et al., CVPR 2020): out = -sum |x - w| over the receptive field, with AdderNet's
//          full-precision weight gradient (x - w), the clipped input gradient HardTanh(w - x) and its
//          adaptive learning-rate scaling (eta * sqrt(k) / ||grad||); activations and weights share one
//          scale, since the hardware subtracts integers of one format
// Bits come from the workload (its defaults.bits per operator), so the accuracy belongs to the arithmetic the
// simulator costs.
#pragma once

#include <cstdint>
#include <string>

#include <torch/torch.h>

namespace cosim::train {

// Symmetric fake quantization to `bits` (two's complement, -2^(b-1)+1 .. 2^(b-1)-1) with step `scale`;
// forward rounds, backward passes the gradient straight through inside the range and blocks it outside.
torch::Tensor fake_quantize(const torch::Tensor& x, const torch::Tensor& scale, int bits);

// The step that maps max |x| onto the largest code of `bits` (never zero).
torch::Tensor symmetric_scale(const torch::Tensor& max_abs, int bits);

// DeepShift-Q weights: sign(w) * 2^-s, s = round(-log2 |w|) clamped to [0, 2^(weight_bits-1) - 1] (a zero
// weight becomes +2^-max: the format has no zero). Straight-through gradient.
torch::Tensor shift_weights(const torch::Tensor& w, int weight_bits);

// AdderNet's convolution -sum |x - w| (NCHW input, OIHW weight, groups as in a convolution). eta > 0 scales
// the weight gradient to eta * sqrt(numel) / ||grad|| (AdderNet's adaptive learning rate; the authors' public
// code uses eta = 0.2); eta = 0 leaves it unscaled.
torch::Tensor adder_conv2d(const torch::Tensor& x, const torch::Tensor& w, int64_t stride, int64_t padding,
                           int64_t groups, double eta);

struct ConvShape {
  int64_t in_channels = 0, out_channels = 0, kernel = 1, stride = 1, padding = 0, groups = 1;
};

struct OperatorBits {
  int act = 8, weight = 8;
};

// A convolution of one operator type, its weights, and the running range of its input activations (an
// exponential average of the batch maximum, used for the activation scale in evaluation).
class OpConv2dImpl : public torch::nn::Module {
 public:
  OpConv2dImpl(const std::string& op, ConvShape shape, OperatorBits bits, double adder_eta);
  torch::Tensor forward(const torch::Tensor& x) { return forward(x, shape_); }
  // As a smaller convolution whose weights are a slice of these (a supernet's options sharing weights,
  // supernet.hpp): the first out_channels filters, their first in_channels / groups inputs, the kernel's
  // centre. Its stride, padding and groups are its own.
  torch::Tensor forward(const torch::Tensor& x, const ConvShape& shape);
  const ConvShape& shape() const { return shape_; }
  const std::string& op() const { return op_; }
  // An adder layer with AdderNet's adaptive scaling (eta > 0) sets its weight gradient's norm itself.
  bool scales_own_gradient() const { return op_ == "adder" && adder_eta_ > 0; }

 private:
  std::string op_;
  ConvShape shape_;
  OperatorBits bits_;
  double adder_eta_;
  torch::Tensor weight_, act_range_;
  torch::Tensor activation_scale(const torch::Tensor& x);
  torch::Tensor weight_for(const ConvShape& shape) const;
};
TORCH_MODULE(OpConv2d);

}  // namespace cosim::train
