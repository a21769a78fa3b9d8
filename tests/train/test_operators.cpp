// The training operators against independent direct loops and hand values (train/operators.hpp).
#include <gtest/gtest.h>

#include <cmath>

#include "train/operators.hpp"

namespace cosim::train {
namespace {

TEST(ShiftWeights, AreSignedPowersOfTwoInTheExponentRange) {
  const torch::Tensor w = torch::tensor({0.3f, -0.7f, 5.0f, 1e-20f, 0.0f, -0.125f, 0.9f});
  const torch::Tensor q = shift_weights(w, 6);  // 1 sign bit + 5 exponent bits: 2^0 .. 2^-31
  const std::vector<float> expected{0.25f,   -0.5f, 1.0f, std::ldexp(1.0f, -31), std::ldexp(1.0f, -31),
                                    -0.125f, 1.0f};
  for (size_t i = 0; i < expected.size(); ++i) EXPECT_EQ(q[int64_t(i)].item<float>(), expected[i]) << i;
  const torch::Tensor random = torch::randn({1000}) * 0.3;
  const torch::Tensor r = shift_weights(random, 4).abs();  // exponents 0 .. 7
  const torch::Tensor exponent = -torch::log2(r);
  EXPECT_TRUE(torch::equal(exponent, exponent.round()));
  EXPECT_GE(exponent.min().item<float>(), 0);
  EXPECT_LE(exponent.max().item<float>(), 7);
}

TEST(ShiftWeights, PassTheGradientStraightThrough) {
  const torch::Tensor w = torch::tensor({0.3f, -0.7f, 5.0f}).requires_grad_();
  (shift_weights(w, 6) * torch::tensor({1.0f, 2.0f, 3.0f})).sum().backward();
  EXPECT_TRUE(torch::equal(w.grad(), torch::tensor({1.0f, 2.0f, 3.0f})));
}

TEST(FakeQuantize, RoundTripsCodesAndRoundsBetweenThem) {
  const torch::Tensor scale = torch::tensor(0.5f);
  const torch::Tensor codes = torch::arange(-127, 128).to(torch::kFloat32) * 0.5;
  EXPECT_TRUE(torch::equal(fake_quantize(codes, scale, 8), codes));
  const torch::Tensor x = torch::tensor({0.2f, 0.3f, -0.74f, 100.0f, -100.0f});
  const torch::Tensor q = fake_quantize(x, scale, 8);
  EXPECT_TRUE(torch::equal(q, torch::tensor({0.0f, 0.5f, -0.5f, 63.5f, -63.5f})));  // 127 * 0.5 at the ends
  EXPECT_EQ(symmetric_scale(torch::tensor(63.5f), 8).item<float>(), 0.5f);
}

TEST(FakeQuantize, GradientPassesInsideTheRangeOnly) {
  const torch::Tensor x = torch::tensor({0.2f, -3.0f, 100.0f, -100.0f}).requires_grad_();
  fake_quantize(x, torch::tensor(0.5f), 8).sum().backward();
  EXPECT_TRUE(torch::equal(x.grad(), torch::tensor({1.0f, 1.0f, 0.0f, 0.0f})));
}

struct AdderCase {
  int64_t n, c, h, o, k, stride, padding, groups;
};

float padded_at(const torch::Tensor& x, int64_t n, int64_t c, int64_t y, int64_t z, int64_t p) {
  y -= p;
  z -= p;
  if (y < 0 || z < 0 || y >= x.size(2) || z >= x.size(3)) return 0;
  return x[n][c][y][z].item<float>();
}

// out, dL/dw and dL/dx of -sum |x - w| by direct loops over every term, with AdderNet's gradients.
struct AdderReference {
  torch::Tensor out, grad_w, grad_x;
};

AdderReference reference(const torch::Tensor& x, const torch::Tensor& w, const torch::Tensor& g,
                         const AdderCase& a) {
  const int64_t out_h = (a.h + 2 * a.padding - a.k) / a.stride + 1, cg = a.c / a.groups, og = a.o / a.groups;
  AdderReference r{torch::zeros({a.n, a.o, out_h, out_h}), torch::zeros_like(w), torch::zeros_like(x)};
  for (int64_t n = 0; n < a.n; ++n)
    for (int64_t o = 0; o < a.o; ++o)
      for (int64_t y = 0; y < out_h; ++y)
        for (int64_t z = 0; z < out_h; ++z) {
          float sum = 0;
          const float up = g[n][o][y][z].item<float>();
          for (int64_t c = 0; c < cg; ++c)
            for (int64_t i = 0; i < a.k; ++i)
              for (int64_t j = 0; j < a.k; ++j) {
                const int64_t ci = o / og * cg + c, py = y * a.stride + i, pz = z * a.stride + j;
                const float xv = padded_at(x, n, ci, py, pz, a.padding), wv = w[o][c][i][j].item<float>();
                sum += std::fabs(xv - wv);
                r.grad_w[o][c][i][j] += up * (xv - wv);
                const int64_t xy = py - a.padding, xz = pz - a.padding;
                if (xy >= 0 && xz >= 0 && xy < a.h && xz < a.h)
                  r.grad_x[n][ci][xy][xz] += up * std::clamp(wv - xv, -1.0f, 1.0f);
              }
          r.out[n][o][y][z] = -sum;
        }
  return r;
}

class AdderConv : public ::testing::TestWithParam<AdderCase> {};

TEST_P(AdderConv, ForwardAndGradientsEqualDirectLoops) {
  const AdderCase a = GetParam();
  torch::manual_seed(7);
  const torch::Tensor x = (torch::randn({a.n, a.c, a.h, a.h}) * 1.5).requires_grad_();
  const torch::Tensor w = (torch::randn({a.o, a.c / a.groups, a.k, a.k}) * 1.5).requires_grad_();
  const torch::Tensor out = adder_conv2d(x, w, a.stride, a.padding, a.groups, 0.0);
  const torch::Tensor up = torch::randn(out.sizes());
  (out * up).sum().backward();
  const AdderReference r = reference(x.detach(), w.detach(), up, a);
  EXPECT_TRUE(torch::allclose(out, r.out, 1e-4, 1e-4));
  EXPECT_TRUE(torch::allclose(w.grad(), r.grad_w, 1e-4, 1e-3));
  EXPECT_TRUE(torch::allclose(x.grad(), r.grad_x, 1e-4, 1e-4));
  // Some terms are clipped (|w - x| > 1) and some are not, so the clipping is exercised.
  EXPECT_GT(r.grad_x.abs().sum().item<float>(), 0);
}

INSTANTIATE_TEST_SUITE_P(Shapes, AdderConv,
                         ::testing::Values(AdderCase{2, 4, 6, 6, 3, 1, 1, 1},    // dense 3x3
                                           AdderCase{2, 4, 7, 6, 3, 2, 1, 2},    // grouped, strided
                                           AdderCase{2, 5, 6, 5, 5, 1, 2, 5},    // depthwise 5x5
                                           AdderCase{3, 6, 5, 4, 1, 1, 0, 1},    // pointwise
                                           AdderCase{1, 3, 6, 2, 1, 2, 0, 1}));  // pointwise, strided

TEST(AdderConvHand, OneTermByHand) {
  // x = [[1, 2], [3, 4]], w = [[0.5, 2], [2, 5]]: out = -(0.5 + 0 + 1 + 1) = -2.5;
  // dL/dw = x - w = [[0.5, 0], [1, -1]]; dL/dx = clip(w - x) = [[-0.5, 0], [-1, 1]].
  const torch::Tensor x = torch::tensor({1.0f, 2.0f, 3.0f, 4.0f}).view({1, 1, 2, 2}).requires_grad_();
  const torch::Tensor w = torch::tensor({0.5f, 2.0f, 2.0f, 5.0f}).view({1, 1, 2, 2}).requires_grad_();
  const torch::Tensor out = adder_conv2d(x, w, 1, 0, 1, 0.0);
  EXPECT_EQ(out.item<float>(), -2.5f);
  out.backward();
  EXPECT_TRUE(torch::equal(w.grad().flatten(), torch::tensor({0.5f, 0.0f, 1.0f, -1.0f})));
  EXPECT_TRUE(torch::equal(x.grad().flatten(), torch::tensor({-0.5f, 0.0f, -1.0f, 1.0f})));
}

TEST(AdderConvHand, AdaptiveLearningRateScalesTheWeightGradientToEtaSqrtK) {
  torch::manual_seed(3);
  const torch::Tensor x = torch::randn({2, 3, 5, 5});
  const torch::Tensor w0 = torch::randn({4, 3, 3, 3});
  const torch::Tensor plain = w0.clone().requires_grad_(), scaled = w0.clone().requires_grad_();
  adder_conv2d(x, plain, 1, 1, 1, 0.0).sum().backward();
  adder_conv2d(x, scaled, 1, 1, 1, 0.2).sum().backward();
  EXPECT_NEAR(scaled.grad().norm().item<float>(), 0.2 * std::sqrt(4.0 * 3 * 3 * 3), 1e-4);
  const torch::Tensor direction = plain.grad() / plain.grad().norm();
  EXPECT_TRUE(torch::allclose(scaled.grad() / scaled.grad().norm(), direction, 1e-5, 1e-6));
}

TEST(OpConv2dInit, AdderWeightsStartAtUnitScaleMultiplierWeightsAtKaimings) {
  // AdderNet's N(0, 1) (its public code); Kaiming's fan-out normal, std sqrt(2 / (out * k * k)), otherwise.
  torch::manual_seed(5);
  const ConvShape shape{64, 96, 3, 1, 1, 1};
  const double kaiming = std::sqrt(2.0 / (96 * 3 * 3));
  for (const char* op : {"mult", "shift", "adder"}) {
    const torch::Tensor w = OpConv2d(op, shape, OperatorBits{}, 0.2)->parameters()[0];
    const double expected = std::string(op) == "adder" ? 1.0 : kaiming;
    EXPECT_NEAR(w.std().item<double>() / expected, 1.0, 0.02) << op;
    EXPECT_NEAR(w.mean().item<double>() / expected, 0.0, 0.02) << op;
  }
}

}  // namespace
}  // namespace cosim::train
