#include "train/operators.hpp"

#include <ATen/Parallel.h>

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace cosim::train {

namespace {

int64_t largest_code(int bits) {
  return (int64_t(1) << (bits - 1)) - 1;
}

struct AdderGeometry {
  int64_t n, c, groups, cg, o, og, k, stride, padding, in_h, in_w, out_h, out_w;
};

AdderGeometry geometry(const torch::Tensor& x, const torch::Tensor& w, int64_t stride, int64_t padding,
                       int64_t groups) {
  AdderGeometry g{};
  g.n = x.size(0);
  g.c = x.size(1);
  g.groups = groups;
  g.cg = g.c / groups;
  g.o = w.size(0);
  g.og = g.o / groups;
  g.k = w.size(2);
  g.stride = stride;
  g.padding = padding;
  g.in_h = x.size(2) + 2 * padding;
  g.in_w = x.size(3) + 2 * padding;
  g.out_h = (g.in_h - g.k) / stride + 1;
  g.out_w = (g.in_w - g.k) / stride + 1;
  if (g.k == 1 && stride == 1) {  // a pointwise convolution: each plane is one row, for longer vector loops
    g.in_w = g.out_w = g.in_h * g.in_w;
    g.in_h = g.out_h = 1;
  }
  return g;
}

// d clipped to [-1, 1], written without branches so that the loops using it vectorize (exact to within the
// rounding of d + 1 and d - 1, far below what a gradient needs).
inline float hard_tanh(float d) {
  return 0.5f * (std::fabs(d + 1.0f) - std::fabs(d - 1.0f));
}

torch::Tensor padded(const torch::Tensor& x, int64_t padding) {
  return (padding > 0 ? torch::constant_pad_nd(x, {padding, padding, padding, padding}, 0) : x).contiguous();
}

// Calls body(o, c_in, i, j, out_plane_offset, in_plane_offset, weight_index) for every term of output channel
// o of image n: the loops of a convolution, shared by the forward and both gradients. The innermost loop
// (over the output row) is left to the body, which runs it over `out_w` pixels with the stride.
template <typename Body>
void for_each_term(const AdderGeometry& g, int64_t n, int64_t o, Body&& body) {
  const int64_t group = o / g.og;
  for (int64_t c = 0; c < g.cg; ++c) {
    const int64_t ci = group * g.cg + c;
    const int64_t in_plane = (n * g.c + ci) * g.in_h * g.in_w, out_plane = (n * g.o + o) * g.out_h * g.out_w;
    for (int64_t i = 0; i < g.k; ++i) {
      for (int64_t j = 0; j < g.k; ++j) {
        const int64_t wi = ((o * g.cg + c) * g.k + i) * g.k + j;
        for (int64_t h = 0; h < g.out_h; ++h)
          body(out_plane + h * g.out_w, in_plane + (h * g.stride + i) * g.in_w + j, wi);
      }
    }
  }
}

// -sum |x - w| over the receptive fields of output channel o of image n, into its zeroed plane of y. Compiled
// for AVX2 as well, chosen at load time where the processor has it (8 lanes instead of SSE2's 4).
__attribute__((target_clones("avx2", "default"))) void adder_plane(const AdderGeometry& g, const float* x,
                                                                   const float* wt, float* y, int64_t n,
                                                                   int64_t o) {
  for_each_term(g, n, o, [&](int64_t out_row, int64_t in_row, int64_t wi) {
    const float v = wt[wi];
    float* __restrict yr = y + out_row;
    const float* __restrict xr = x + in_row;
    if (g.stride == 1)
      for (int64_t q = 0; q < g.out_w; ++q) yr[q] -= std::fabs(xr[q] - v);
    else
      for (int64_t q = 0; q < g.out_w; ++q) yr[q] -= std::fabs(xr[q * g.stride] - v);
  });
}

torch::Tensor adder_forward(const torch::Tensor& xp, const torch::Tensor& w, const AdderGeometry& g) {
  torch::Tensor out = torch::zeros({g.n, g.o, g.out_h, g.out_w}, xp.options());
  const float* x = xp.data_ptr<float>();
  const float* wt = w.data_ptr<float>();
  float* y = out.data_ptr<float>();
  at::parallel_for(0, g.n * g.o, 1, [&](int64_t begin, int64_t end) {
    for (int64_t no = begin; no < end; ++no) adder_plane(g, x, wt, y, no / g.o, no % g.o);
  });
  return out;
}

// AdderNet's weight gradient: sum over outputs of grad * (x - w), the full-precision form of sign(x - w).
torch::Tensor adder_weight_gradient(const torch::Tensor& xp, const torch::Tensor& w,
                                    const torch::Tensor& grad, const AdderGeometry& g) {
  torch::Tensor gw = torch::zeros_like(w);
  const float* __restrict x = xp.data_ptr<float>(), * __restrict wt = w.data_ptr<float>(), * __restrict dy = grad.data_ptr<float>();
  float* __restrict dw = gw.data_ptr<float>();
  at::parallel_for(0, g.o, 1, [&](int64_t begin, int64_t end) {
    for (int64_t o = begin; o < end; ++o) {
      for (int64_t n = 0; n < g.n; ++n) {
        for_each_term(g, n, o, [&](int64_t out_row, int64_t in_row, int64_t wi) {
          const float v = wt[wi];
          float sum = 0;
          const float* __restrict xr = x + in_row;
          const float* __restrict dyr = dy + out_row;
#pragma omp simd reduction(+ : sum)
          for (int64_t q = 0; q < g.out_w; ++q) sum += dyr[q] * (xr[q * g.stride] - v);
          dw[wi] += sum;
        });
      }
    }
  });
  return gw;
}

// AdderNet's input gradient: sum over outputs of grad * HardTanh(w - x), the clipped form of sign(w - x).
// Each task owns one image and group, so that no two tasks add into the same input.
torch::Tensor adder_input_gradient(const torch::Tensor& xp, const torch::Tensor& w, const torch::Tensor& grad,
                                   const AdderGeometry& g) {
  torch::Tensor gx = torch::zeros_like(xp);
  const float* __restrict x = xp.data_ptr<float>(), * __restrict wt = w.data_ptr<float>(), * __restrict dy = grad.data_ptr<float>();
  float* __restrict dx = gx.data_ptr<float>();
  at::parallel_for(0, g.n * g.groups, 1, [&](int64_t begin, int64_t end) {
    for (int64_t ng = begin; ng < end; ++ng) {
      const int64_t n = ng / g.groups, group = ng % g.groups;
      for (int64_t o = group * g.og; o < (group + 1) * g.og; ++o) {
        for_each_term(g, n, o, [&](int64_t out_row, int64_t in_row, int64_t wi) {
          const float v = wt[wi];
          float* __restrict dxr = dx + in_row;
          const float* __restrict xr = x + in_row;
          const float* __restrict dyr = dy + out_row;
          if (g.stride == 1)
#pragma omp simd
            for (int64_t q = 0; q < g.out_w; ++q) dxr[q] += dyr[q] * hard_tanh(v - xr[q]);
          else
            for (int64_t q = 0; q < g.out_w; ++q) {
              const int64_t at = q * g.stride;
              dxr[at] += dyr[q] * hard_tanh(v - xr[at]);
            }
        });
      }
    }
  });
  return gx;
}

class AdderConvFunction : public torch::autograd::Function<AdderConvFunction> {
 public:
  static torch::Tensor forward(torch::autograd::AutogradContext* ctx, const torch::Tensor& x,
                               const torch::Tensor& w, int64_t stride, int64_t padding, int64_t groups,
                               double eta) {
    ctx->save_for_backward({x, w});
    ctx->saved_data["stride"] = stride;
    ctx->saved_data["padding"] = padding;
    ctx->saved_data["groups"] = groups;
    ctx->saved_data["eta"] = eta;
    const int64_t out_h = (x.size(2) + 2 * padding - w.size(2)) / stride + 1,
                  out_w = (x.size(3) + 2 * padding - w.size(3)) / stride + 1;
    return adder_forward(padded(x, padding), w.contiguous(), geometry(x, w, stride, padding, groups))
        .view({x.size(0), w.size(0), out_h, out_w});
  }

  static torch::autograd::variable_list backward(torch::autograd::AutogradContext* ctx,
                                                 torch::autograd::variable_list grad_outputs) {
    const auto saved = ctx->get_saved_variables();
    const torch::Tensor &x = saved[0], w = saved[1].contiguous();
    const AdderGeometry g = geometry(x, w, ctx->saved_data["stride"].toInt(),
                                     ctx->saved_data["padding"].toInt(), ctx->saved_data["groups"].toInt());
    const double eta = ctx->saved_data["eta"].toDouble();
    const torch::Tensor xp = padded(x, g.padding), grad = grad_outputs[0].contiguous();
    torch::Tensor grad_w = adder_weight_gradient(xp, w, grad, g);
    if (eta > 0) grad_w.mul_(eta * std::sqrt(double(grad_w.numel())) / grad_w.norm().clamp_min(1e-12));
    torch::Tensor grad_x = adder_input_gradient(xp, w, grad, g);
    if (g.padding > 0)
      grad_x =
          grad_x.slice(2, g.padding, g.in_h - g.padding).slice(3, g.padding, g.in_w - g.padding).contiguous();
    return {grad_x, grad_w, torch::Tensor(), torch::Tensor(), torch::Tensor(), torch::Tensor()};
  }
};

}  // namespace

torch::Tensor symmetric_scale(const torch::Tensor& max_abs, int bits) {
  return (max_abs.detach() / double(largest_code(bits))).clamp_min(1e-8);
}

torch::Tensor fake_quantize(const torch::Tensor& x, const torch::Tensor& scale, int bits) {
  const int64_t q = largest_code(bits);
  const float step = scale.detach().item<float>();
  if (!torch::GradMode::is_enabled() || !x.requires_grad())  // three vectorized passes
    return (x * (1.0f / step)).round_().clamp_(-q, q).mul_(step);
  // ATen's fused kernel, the same values: round(x / s) clamped to the codes, times s; backward the gradient
  // inside the range, blocked outside (rounding passes straight through).
  return torch::fake_quantize_per_tensor_affine(x, torch::full({1}, step), torch::zeros({1}, torch::kInt32),
                                                -q, q);
}

torch::Tensor shift_weights(const torch::Tensor& w, int weight_bits) {
  const double max_shift = double(largest_code(weight_bits));
  const torch::Tensor v = w.detach();
  const torch::Tensor sign = torch::where(v < 0, torch::full_like(v, -1.0), torch::full_like(v, 1.0));
  const torch::Tensor shift = (-torch::log2(v.abs().clamp_min(1e-30))).round().clamp(0, max_shift);
  return w + (sign * torch::pow(2.0, -shift) - v);
}

torch::Tensor adder_conv2d(const torch::Tensor& x, const torch::Tensor& w, int64_t stride, int64_t padding,
                           int64_t groups, double eta) {
  if (x.dim() != 4 || w.dim() != 4 || x.size(1) != w.size(1) * groups || w.size(0) % groups != 0 ||
      w.size(2) != w.size(3) || x.scalar_type() != torch::kFloat32 || w.scalar_type() != torch::kFloat32)
    throw std::invalid_argument("adder_conv2d: input and weight shapes do not fit a convolution");
  return AdderConvFunction::apply(x, w, stride, padding, groups, eta);
}

OpConv2dImpl::OpConv2dImpl(const std::string& op, ConvShape shape, OperatorBits bits, double adder_eta)
    : op_(op), shape_(shape), bits_(bits), adder_eta_(adder_eta) {
  if (op != "mult" && op != "shift" && op != "adder")
    throw std::invalid_argument("no training operator for op \"" + op + "\"");
  weight_ = register_parameter("weight", torch::empty({shape.out_channels, shape.in_channels / shape.groups,
                                                       shape.kernel, shape.kernel}));
  if (op == "adder")
    // AdderNet's public code starts adder weights at N(0, 1), the scale of the batch-normalized activations
    // they are subtracted from; a multiplier's Kaiming scale (~0.05) would put every filter near zero, where
    // -sum |x - w| is about -sum |x| for all of them, and round them to a few codes of the shared 8-bit
    // scale. A network of adder/k3/e3 blocks reached 10.2% after an epoch of 5,000 images so, 22.8% at N(0,
    // 1).
    torch::nn::init::normal_(weight_, 0.0, 1.0);
  else
    torch::nn::init::kaiming_normal_(weight_, 0.0, torch::kFanOut, torch::kReLU);
  act_range_ = register_buffer("act_range", torch::zeros({}));
}

torch::Tensor OpConv2dImpl::activation_scale(const torch::Tensor& x) {
  if (!is_training() && act_range_.item<float>() > 0) return act_range_.clone();
  const torch::Tensor batch_max = x.detach().abs().max();
  if (is_training()) {
    torch::NoGradGuard no_grad;
    if (act_range_.item<float>() == 0)
      act_range_.copy_(batch_max);
    else
      act_range_.mul_(0.9).add_(batch_max, 0.1);
  }
  return batch_max;
}

torch::Tensor OpConv2dImpl::weight_for(const ConvShape& shape) const {
  const int64_t inputs = shape.in_channels / shape.groups, crop = (shape_.kernel - shape.kernel) / 2;
  if (shape.out_channels > shape_.out_channels || inputs > weight_.size(1) || crop < 0)
    throw std::invalid_argument("OpConv2d: a slice larger than the weights");
  if (shape.out_channels == shape_.out_channels && inputs == weight_.size(1) && crop == 0) return weight_;
  return weight_.narrow(0, 0, shape.out_channels)
      .narrow(1, 0, inputs)
      .narrow(2, crop, shape.kernel)
      .narrow(3, crop, shape.kernel)
      .contiguous();
}

torch::Tensor OpConv2dImpl::forward(const torch::Tensor& x, const ConvShape& shape) {
  const torch::Tensor act_max = activation_scale(x);
  const torch::Tensor weight = weight_for(shape);
  if (op_ == "adder") {
    // One scale for both operands: the adder subtracts integers of one format.
    const torch::Tensor range = torch::max(act_max, weight.detach().abs().max());
    const torch::Tensor scale = symmetric_scale(range, std::min(bits_.act, bits_.weight));
    return adder_conv2d(fake_quantize(x, scale, bits_.act), fake_quantize(weight, scale, bits_.weight),
                        shape.stride, shape.padding, shape.groups, adder_eta_);
  }
  const torch::Tensor xq = fake_quantize(x, symmetric_scale(act_max, bits_.act), bits_.act);
  const torch::Tensor wq =
      op_ == "shift" ? shift_weights(weight, bits_.weight)
                     : fake_quantize(weight, symmetric_scale(weight.abs().max(), bits_.weight), bits_.weight);
  return torch::conv2d(xq, wq, {}, shape.stride, shape.padding, 1, shape.groups);
}

}  // namespace cosim::train
