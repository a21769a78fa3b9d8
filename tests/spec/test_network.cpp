// Workload files: expansion of repeated blocks, shape propagation, MAC counts computed independently, and
// each kind of bad field refused with file, JSON pointer and problem.
#include <gtest/gtest.h>

#include "support/test_files.hpp"

namespace cosim {
namespace {

using test::network_with;
using test::source_path;

const Layer* find(const Network& n, const std::string& name) {
  for (const Layer& l : n.layers) {
    if (l.name == name) return &l;
  }
  return nullptr;
}

// MACs of a DeiT at 224x224, patch 16, from the architecture's definition (not from the reader).
uint64_t deit_macs(uint64_t dim, uint64_t heads, uint64_t depth) {
  const uint64_t t = 197, d = dim / heads;
  const uint64_t patch = 196 * (3 * 16 * 16) * dim;
  const uint64_t block = t * dim * 3 * dim + 2 * heads * t * t * d + t * dim * dim + 2 * t * dim * 4 * dim;
  return patch + depth * block + dim * 1000;
}

TEST(Network, DeitWorkloadsHaveTheirMacCounts) {
  EXPECT_EQ(read_network(source_path("workloads/vit.json")).total_macs(), deit_macs(384, 6, 12));
  EXPECT_EQ(read_network(source_path("workloads/deit_tiny.json")).total_macs(), deit_macs(192, 3, 12));
  EXPECT_EQ(read_network(source_path("workloads/deit_base.json")).total_macs(), deit_macs(768, 12, 12));
}

TEST(Network, RepeatedBlocksExpandWithResidualsAndAttentionSplits) {
  Network n = read_network(source_path("workloads/vit.json"));
  EXPECT_EQ(n.name, "DeiT-Small");
  const Layer* res1 = find(n, "block11.res1");
  ASSERT_NE(res1, nullptr);
  ASSERT_EQ(res1->inputs.size(), 2u);
  EXPECT_EQ(n.layers[size_t(res1->inputs[0])].name, "block10.res2");  // @input of block 11
  EXPECT_EQ(n.layers[size_t(res1->inputs[1])].name, "block11.proj");
  ASSERT_NE(find(n, "head"), nullptr);
  const Layer* qk = find(n, "block0.attn.qk");
  ASSERT_NE(qk, nullptr);
  EXPECT_EQ(qk->gemm.groups, 6);
  EXPECT_EQ(qk->gemm.m, 197);
  EXPECT_EQ(qk->gemm.k, 64);
  EXPECT_EQ(qk->gemm.n, 197);
  EXPECT_FALSE(qk->b_is_weight);
  const Layer* sm = find(n, "block0.attn.softmax");
  ASSERT_NE(sm, nullptr);
  EXPECT_EQ(sm->vector_elements, 6u * 197 * 197);
  EXPECT_EQ(sm->vector_row, 197u);
  const Layer* sv = find(n, "block0.attn.sv");
  ASSERT_NE(sv, nullptr);
  EXPECT_EQ(sv->out_shape, (Shape{197, 384}));
  EXPECT_EQ(find(n, "head")->out_shape, (Shape{1000}));
}

TEST(Network, ConvShapesFollowFromKernelStridePadding) {
  Network m = read_network(source_path("workloads/mobilenetv2_cifar.json"));
  ASSERT_NE(find(m, "conv_last"), nullptr);
  EXPECT_EQ(find(m, "conv_last")->out_shape, (Shape{1280, 4, 4}));
  const Layer* dw = find(m, "stage3_first.dw");  // 3x3 depthwise, stride 2, 16x16 -> 8x8... with padding 1
  ASSERT_NE(dw, nullptr);
  EXPECT_EQ(dw->out_shape, (Shape{144, 16, 16}));
  EXPECT_EQ(dw->gemm.groups, 144);  // depthwise: one group per channel
  EXPECT_EQ(dw->gemm.k, 9);
  EXPECT_EQ(dw->gemm.n, 1);
  Network r = read_network(source_path("workloads/resnet20_hybrid.json"));
  for (const char* name : {"s3b1.shortcut", "s1b1.conv1", "s2b1.conv1"})
    ASSERT_NE(find(r, name), nullptr) << name;
  EXPECT_EQ(find(r, "s3b1.shortcut")->out_shape, (Shape{64, 8, 8}));
  EXPECT_EQ(find(r, "s1b1.conv1")->op, OpType::Shift);
  EXPECT_EQ(find(r, "s1b1.conv1")->act_bits, 16);
  EXPECT_EQ(find(r, "s2b1.conv1")->op, OpType::Adder);
}

// The input a strip of output pixels needs under a convolution's windows, by hand.
TEST(Network, ConvWindowCountsTheInputPixelsUnderItsWindowsNotTheExpansion) {
  // VGG02 layer 5 (Timeloop's Eyeriss exercise): 128 x 56 x 56, 3x3, stride 1, padding 1.
  const ConvWindow vgg{56, 56, 128, 3, 3, 1, 1, 56, 56, 1};
  EXPECT_EQ(vgg.input_elements(56 * 56), 56u * 56 * 128);  // the whole input, 1/9 of the expansion
  // Two rows' worth of pixels may straddle 3 output rows: their 5 input rows; as may 100 pixels.
  EXPECT_EQ(vgg.input_elements(2 * 56), 5u * 56 * 128);
  EXPECT_EQ(vgg.input_elements(100), 5u * 56 * 128);
  EXPECT_EQ(vgg.input_elements(56 * 54), 56u * 56 * 128);  // 55 rows may need 57 input rows: all 56
  EXPECT_EQ(vgg.input_elements(1), 9u * 128);              // one pixel: its window (the expansion is less)
  // Slices of the reduction (9 positions per channel): 18 aligned positions are 2 channels; 12 positions
  // starting at multiples of 12 may straddle 3 (positions 24-35: channels 2 and 3, 12-23: 1 to 2); a last
  // slice of 9 after slices of 12 (positions 24-32) straddles 2 channels, not 1.
  EXPECT_EQ(vgg.input_elements(56 * 56, 18, 18), 56u * 56 * 2);
  EXPECT_EQ(vgg.input_elements(56 * 56, 12, 12), 56u * 56 * 3);
  EXPECT_EQ(vgg.input_elements(56 * 56, 9, 12), 56u * 56 * 2);
  EXPECT_EQ(vgg.input_elements(56 * 56, 9, 9), 56u * 56 * 1);
  // 1x1, stride 2, 8x8 -> 4x4: every other row and column, as the expansion.
  const ConvWindow pointwise{8, 8, 16, 1, 1, 2, 2, 4, 4, 1};
  EXPECT_EQ(pointwise.input_elements(16), 16u * 16);
  // 3x3, stride 2, 9x9 -> 4x4: rows and columns overlap by one; two items.
  const ConvWindow strided{9, 9, 1, 3, 3, 2, 2, 4, 4, 2};
  EXPECT_EQ(strided.input_elements(32), 2u * 81);
  // 16 pixels may straddle 5 output rows and two items: 2 input rows per output row plus one overlap row
  // per item, 9 columns.
  EXPECT_EQ(strided.input_elements(16), 12u * 9);
  // Read from a workload: the layer carries its window per group.
  Network m = read_network(source_path("workloads/mobilenetv2_cifar.json"));
  const Layer* dw = find(m, "stage3_first.dw");
  ASSERT_NE(dw, nullptr);
  EXPECT_EQ(dw->conv.channels, 1);  // depthwise: one channel per group
  EXPECT_EQ(dw->conv.in_h, 32);     // 3x3, stride 2, padding 1: 32 x 32 -> 16 x 16
  EXPECT_EQ(dw->conv.input_elements(dw->gemm.m), 32u * 32);
}

TEST(Network, BatchScalesWork) {
  Network one = read_network(source_path("workloads/resnet20_hybrid.json"));
  Network four = network_with("workloads/resnet20_hybrid.json", [](auto& j) { j["batch"] = 4; });
  EXPECT_EQ(four.total_macs(), 4 * one.total_macs());
}

// The arithmetic of each operator, by hand: on 16 x 8 x 8 (batch 2), a 3x3 mult conv to 8 channels (padding
// 1: 8 x 8 out) is 2*64*8*144 = 147,456 MACs; a 1x1 shift conv to 32 channels 2*64*32*8 = 32,768; a 3x3
// depthwise adder conv 2*64*32*9 = 36,864; average pooling and the 10-way mult head (32 -> 10) 2*320 = 640.
TEST(Network, CountsEachOperatorsMacs) {
  const Network n = network_with("workloads/resnet20_hybrid.json", [](auto& j) {
    j["batch"] = 2;
    j["input"] = {{"shape", {16, 8, 8}}, {"bits", 8}};
    j["layers"] = nlohmann::json::parse(R"([
      {"name": "m", "type": "conv2d", "out_channels": 8, "kernel": 3, "padding": 1, "op": "mult"},
      {"name": "s", "type": "conv2d", "out_channels": 32, "kernel": 1, "op": "shift"},
      {"name": "a", "type": "conv2d", "out_channels": 32, "kernel": 3, "padding": 1, "groups": 32, "op": "adder"},
      {"name": "gap", "type": "pool", "mode": "global_avg"},
      {"name": "head", "type": "linear", "out_features": 10, "op": "mult"}])");
  });
  const std::array<uint64_t, 3> macs = n.macs_by_op();
  EXPECT_EQ(macs[size_t(OpType::Mult)], 147456u + 640u);
  EXPECT_EQ(macs[size_t(OpType::Shift)], 32768u);
  EXPECT_EQ(macs[size_t(OpType::Adder)], 36864u);
  EXPECT_EQ(macs[0] + macs[1] + macs[2], n.total_macs());
}

// The layer types an imported model needs, on a small network whose every figure is worked by hand: which
// vector op each becomes, its element count (batch 2), its shape, and which layout changes are free.
TEST(Network, ImportLayerTypesHaveTheirOpsShapesAndWork) {
  const Network n = network_with("workloads/resnet20_hybrid.json", [](auto& j) {
    j["batch"] = 2;
    j["input"] = {{"shape", {16, 8, 8}}, {"bits", 8}};
    j["layers"] = nlohmann::json::parse(R"([
      {"name": "c1", "type": "conv2d", "out_channels": 16, "kernel": 3, "padding": 2, "dilation": 2, "op": "mult"},
      {"name": "bn", "type": "batchnorm"},
      {"name": "act", "type": "hardswish"},
      {"name": "gap", "type": "pool", "mode": "global_avg"},
      {"name": "se", "type": "reshape", "shape": [16, 1, 1]},
      {"name": "gate", "type": "sigmoid"},
      {"name": "scale", "type": "mul", "inputs": ["act", "gate"]},
      {"name": "bias", "type": "sub"},
      {"name": "hwc", "type": "transpose", "perm": [1, 2, 0]},
      {"name": "unit", "type": "transpose", "inputs": ["se"], "perm": [1, 0, 2]},
      {"name": "rows", "type": "slice", "inputs": ["hwc"], "axis": 0, "start": 2, "end": 6},
      {"name": "cols", "type": "slice", "axis": 1, "start": 0, "end": 8, "step": 3},
      {"name": "cls", "type": "concat", "inputs": ["cols"], "axis": 0, "extra": 1}
    ])");
  });
  struct Want {
    const char* name;
    WorkKind work;
    VectorOp op;
    uint64_t elements;
    Shape shape;
  };
  const std::vector<Want> want = {
      {"bn", WorkKind::Vector, VectorOp::BatchNorm, 2 * 1024, {16, 8, 8}},
      {"act", WorkKind::Vector, VectorOp::HardSwish, 2 * 1024, {16, 8, 8}},
      {"se", WorkKind::None, VectorOp::Add, 0, {16, 1, 1}},
      {"gate", WorkKind::Vector, VectorOp::Sigmoid, 2 * 16, {16, 1, 1}},
      {"scale", WorkKind::Vector, VectorOp::Mul, 2 * 1024, {16, 8, 8}},  // [16,8,8] x [16,1,1] broadcast
      {"bias", WorkKind::Vector, VectorOp::Add, 2 * 1024, {16, 8, 8}},   // sub of a constant
      {"hwc", WorkKind::Vector, VectorOp::Copy, 2 * 1024, {8, 8, 16}},
      {"unit", WorkKind::None, VectorOp::Add, 0, {1, 16, 1}},           // only a size-1 dimension moves
      {"rows", WorkKind::None, VectorOp::Add, 0, {4, 8, 16}},           // contiguous rows 2..5
      {"cols", WorkKind::Vector, VectorOp::Copy, 2 * 192, {4, 3, 16}},  // columns 0, 3, 6 of each row
      {"cls", WorkKind::Vector, VectorOp::Concat, 2 * 240, {5, 3, 16}},
  };
  for (const Want& w : want) {
    const Layer* l = find(n, w.name);
    ASSERT_NE(l, nullptr) << w.name;
    EXPECT_EQ(l->work, w.work) << w.name;
    EXPECT_EQ(l->out_shape, w.shape) << w.name;
    if (w.work != WorkKind::Vector) continue;
    EXPECT_EQ(l->vector_op, w.op) << w.name;
    EXPECT_EQ(l->vector_elements, w.elements) << w.name;
  }
  // Dilation 2 spreads the 3x3 kernel over 5x5: 8 + 2*2 - 5 + 1 = 8 outputs a side; 9 MACs per input channel.
  const Layer* c1 = find(n, "c1");
  EXPECT_EQ(c1->out_shape, (Shape{16, 8, 8}));
  EXPECT_EQ(c1->gemm.k, 16 * 9);
  EXPECT_EQ(c1->gemm.m, 2 * 64);
}

struct BadWorkload {
  const char* what;
  std::function<void(nlohmann::json&)> edit;
  const char* pointer;
  const char* problem;
};

class BadWorkloadFile : public testing::TestWithParam<BadWorkload> {};

TEST_P(BadWorkloadFile, IsRefusedWithFilePointerAndProblem) {
  const BadWorkload& b = GetParam();
  try {
    network_with("workloads/vit.json", b.edit);
    FAIL() << "accepted: " << b.what;
  } catch (const InputError& e) {
    EXPECT_EQ(e.file(), source_path("workloads/vit.json"));
    EXPECT_EQ(e.path(), b.pointer) << e.what();
    EXPECT_NE(e.problem().find(b.problem), std::string::npos) << e.what();
  }
}

// In workloads/vit.json: /layers/0 patch_embed, /layers/1 tokens, /layers/2 the block (its layers: 0 ln1, 1
// qkv, 2 attn, 3 proj, 4 res1, ...).
INSTANTIATE_TEST_SUITE_P(
    Cases, BadWorkloadFile,
    testing::Values(
        BadWorkload{"unknown layer type",
                    [](auto& j) { j["layers"][2]["layers"][1]["type"] = "convolution"; },
                    "/layers/2/layers/1/type", "unknown value \"convolution\""},
        BadWorkload{"unknown operator", [](auto& j) { j["layers"][0]["op"] = "divide"; }, "/layers/0/op",
                    "unknown value \"divide\""},
        BadWorkload{"zero out_features", [](auto& j) { j["layers"][2]["layers"][1]["out_features"] = 0; },
                    "/layers/2/layers/1/out_features", "expected an integer in"},
        BadWorkload{"negative kernel", [](auto& j) { j["layers"][0]["kernel"] = -16; }, "/layers/0/kernel",
                    "found -16"},
        BadWorkload{"kernel larger than input", [](auto& j) { j["layers"][0]["kernel"] = 300; },
                    "/layers/0/kernel", "does not fit"},
        BadWorkload{"add of mismatched shapes",
                    [](auto& j) {
                      j["layers"][2]["layers"][4]["inputs"] = {"qkv", "proj"};
                    },
                    "/layers/2/layers/4/inputs", "equal or broadcastable shapes"},
        BadWorkload{
            "concat of one input",
            [](auto& j) {
              j["layers"][2]["layers"][4] = {{"name", "res1"}, {"type", "concat"}, {"inputs", {"proj"}}};
            },
            "/layers/2/layers/4", "two or more inputs, or one input and \"extra\""},
        BadWorkload{"add of three inputs",
                    [](auto& j) {
                      j["layers"][2]["layers"][4]["inputs"] = {"qkv", "proj", "attn"};
                    },
                    "/layers/2/layers/4/inputs", "add takes 1 or 2 inputs, found 3"},
        BadWorkload{
            "reshape that changes the element count",
            [](auto& j) {
              j["layers"][2]["layers"][4] = {{"name", "res1"}, {"type", "reshape"}, {"shape", {197, 385}}};
            },
            "/layers/2/layers/4/shape", "keeps the element count"},
        BadWorkload{
            "transpose that is no permutation",
            [](auto& j) {
              j["layers"][2]["layers"][4] = {{"name", "res1"}, {"type", "transpose"}, {"perm", {0, 0}}};
            },
            "/layers/2/layers/4/perm", "expected a permutation"},
        BadWorkload{"slice past the end",
                    [](auto& j) {
                      j["layers"][2]["layers"][4] = {
                          {"name", "res1"}, {"type", "slice"}, {"axis", 1}, {"start", 10}, {"end", 400}};
                    },
                    "/layers/2/layers/4/end", "expected an integer in [11, 384]"},
        BadWorkload{"concat of shapes differing off the axis",
                    [](auto& j) {
                      j["layers"][2]["layers"][4] = {
                          {"name", "res1"}, {"type", "concat"}, {"inputs", {"qkv", "proj"}}, {"axis", 0}};
                    },
                    "/layers/2/layers/4/inputs", "concat along axis 0"},
        BadWorkload{"concat axis out of range",
                    [](auto& j) {
                      j["layers"][2]["layers"][4] = {
                          {"name", "res1"}, {"type", "concat"}, {"inputs", {"qkv", "proj"}}, {"axis", 2}};
                    },
                    "/layers/2/layers/4/axis", "expected an integer in"},
        BadWorkload{"written output shape wrong",
                    [](auto& j) {
                      j["layers"][1]["output"] = {196, 384};
                    },
                    "/layers/1/output", "[197, 384]"},
        BadWorkload{"unknown input name", [](auto& j) { j["layers"][2]["layers"][4]["inputs"][1] = "prj"; },
                    "/layers/2/layers/4/inputs/1", "unknown layer \"prj\""},
        BadWorkload{"heads do not divide", [](auto& j) { j["layers"][2]["layers"][2]["heads"] = 5; },
                    "/layers/2/layers/2/heads", "do not split"},
        BadWorkload{"no bits for the operator", [](auto& j) { j["layers"][2]["layers"][1]["op"] = "shift"; },
                    "/layers/2/layers/1", "missing field \"bits\""},
        BadWorkload{"conv on tokens",
                    [](auto& j) {
                      j["layers"][2]["layers"][1] = {
                          {"name", "qkv"}, {"type", "conv2d"}, {"out_channels", 8}, {"kernel", 1}};
                    },
                    "/layers/2/layers/1", "needs an input of shape [channels, height, width]"},
        BadWorkload{"repeat zero", [](auto& j) { j["layers"][2]["repeat"] = 0; }, "/layers/2/repeat",
                    "expected an integer in"},
        BadWorkload{"duplicate name", [](auto& j) { j["layers"][2]["layers"][3]["name"] = "qkv"; },
                    "/layers/2/layers/3/name", "used twice"},
        BadWorkload{"empty layer list", [](auto& j) { j["layers"] = nlohmann::json::array(); }, "/layers",
                    "at least one layer"},
        BadWorkload{"zero batch", [](auto& j) { j["batch"] = 0; }, "/batch", "expected an integer in"},
        BadWorkload{"layer is not an object", [](auto& j) { j["layers"][0] = 7; }, "/layers/0",
                    "expected a layer object"},
        BadWorkload{"tensor beyond 2^40 elements",
                    [](auto& j) {
                      j["input"]["shape"] = {3, 16000000, 16000000};
                      j["layers"][0].erase("output");
                    },
                    "/input", "more than the 2^40"},
        BadWorkload{"mask sparsity above one",
                    [](auto& j) { j["layers"][2]["layers"][2]["mask"]["generate"]["sparsity"] = 1.5; },
                    "/layers/2/layers/2/mask/generate/sparsity", "expected a fraction in [0, 1)"},
        BadWorkload{"mask with both sources",
                    [](auto& j) { j["layers"][2]["layers"][2]["mask"]["npy"] = "x.npy"; },
                    "/layers/2/layers/2/mask", "exactly one of"},
        BadWorkload{"string where a number belongs", [](auto& j) { j["layers"][0]["stride"] = "16"; },
                    "/layers/0/stride", "expected an integer"}),
    [](const testing::TestParamInfo<BadWorkload>& info) {
      std::string n = info.param.what;
      for (char& c : n) c = std::isalnum(static_cast<unsigned char>(c)) ? c : '_';
      return n;
    });

TEST(Network, OperatorWithoutChunkNamesLayerAndArchitecture) {
  Network hybrid = read_network(source_path("workloads/resnet20_hybrid.json"));
  ArchSpec sys = read_arch(source_path("arch/systolic32.json"));
  try {
    check_supported(hybrid, sys);
    FAIL();
  } catch (const InputError& e) {
    EXPECT_EQ(e.file(), source_path("workloads/resnet20_hybrid.json"));
    EXPECT_EQ(e.path(), "/layers/1/layers/0/op");  // s1b1.conv1, the first shift layer
    EXPECT_NE(e.problem().find("no chunk for it"), std::string::npos) << e.what();
    EXPECT_NE(e.problem().find("systolic32.json"), std::string::npos) << e.what();
  }
}

TEST(Network, LayerWiderThanItsChunkIsRefused) {
  Network wide = network_with("workloads/vit.json", [](auto& j) {
    j["layers"][2]["layers"][1]["bits"] = {{"act", 16}, {"weight", 8}};
  });
  try {
    check_supported(wide, read_arch(source_path("arch/default.json")));
    FAIL();
  } catch (const InputError& e) {
    EXPECT_EQ(e.path(), "/layers/2/layers/1/bits");
    EXPECT_NE(e.problem().find("16-bit activations"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace cosim
