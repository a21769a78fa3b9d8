// Golden figures computed by hand: one small GEMM layer on each PE type and dataflow, and vector layers of
// one and of three tiles, on the default preset (arch/default.json, arch/tech/45nm.json), mapped by the fixed
// rule (docs/accelerator-model.md) and run through the whole flow (plans -> SystemC accelerator -> energy
// model). Every number below was worked out from the docs' rules and the technology table, not by running the
// code; the derivation is beside it. A change of any rule or table entry these layers touch moves a number
// here.
//
// Common facts (default preset, 500 MHz):
//   DRAM 76.8 GB/s = 153.6 B/cycle = 768/5; a transfer of b bytes holds it ceil(5b/768) cycles; latency
//   100 ns = 50 cycles; bursts of 64 B. Global buffer port 128 B/cycle, no latency.
//   SRAM pJ per byte = (64-bit access energy) / 8, log-log interpolated (Horowitz): 32 KiB: 20/8 = 2.5;
//   16 KiB: 10 * 2^(1/2) / 8 = 1.767766953; 512 KiB: 20 * 5^(4/5) / 8 = 9.059745796. DRAM: 1300/8 = 162.5.
//   Static energy over T cycles: leakage of 768 chunk PEs + 32 vector lanes + 512 engine MACs = 1312 PEs
//   x 0.005 pJ; SRAM 3 x 80 KiB (chunks) + 32 KiB (vector) + 287 KiB (engine: 3 x 53 + 20 + 108) + 512 KiB
//   (global buffer) = 1071 KiB x 0.02 pJ; idle 0.02 pJ per PE-cycle of the 3 x 256 chunk PEs and 512 engine
//   MACs outside their compute cycles.
#include <gtest/gtest.h>

#include <cmath>
#include <ostream>
#include <string>

#include "flow/network_simulator.hpp"
#include "mapper/fixed_mapping.hpp"
#include "support/test_files.hpp"

namespace cosim {
namespace {

struct Golden {
  const char* op;
  Dataflow dataflow;
  uint64_t cycles, compute_cycles;
  double compute, local, glb, dram, idle, static_pJ;
};

// The layer: linear, input [20, 40] (m = 20 tokens, k = 40), out_features 8 (n = 8); one tile (it fits every
// buffer) and one global-buffer tile. Input and weights come from DRAM; the output (160 elements) is the
// network's result, so it goes to DRAM too (mapper/tensor_residency.hpp). All three are staged in the global
// buffer: fetched DRAM -> global buffer, loaded global buffer -> chunk, stored chunk -> global buffer and
// written back global buffer -> DRAM (docs/accelerator-model.md).
//
// Timing = fetches, then loads, then compute, then store, then writeback (one tile, nothing overlaps):
//   mult/adder (8-bit act, 8-bit weights): fetch input 800 B -> 13 bursts = 832 B -> ceil(5*832/768) = 6
//     cycles; weights 320 B -> 5 bursts -> ceil(5*320/768) = 3; served back to back: 6 + 3 + 50 latency = 59.
//     Loads from the global buffer, one after the other: ceil(800/128) + ceil(320/128) = 7 + 3 = 10.
//     Store 160 B to the global buffer: ceil(160/128) = 2; writeback 160 B -> 3 bursts = 192 B ->
//     ceil(5*192/768) = 2 + 50 = 52. Fixed part 59 + 10 + 2 + 52 = 123.
//   shift (16-bit act, 6-bit weights): fetch input 1600 B = 25 bursts -> ceil(5*1600/768) = 11; weights
//     320 x 6 bits = 240 B -> 4 bursts = 256 B -> ceil(5*256/768) = 2; 11 + 2 + 50 = 63. Loads ceil(1600/128)
//     + ceil(240/128) = 13 + 2 = 15. Store 320 B: ceil(320/128) = 3; writeback 320 B = 5 bursts ->
//     ceil(5*320/768) = 3 + 50 = 53. Fixed part 63 + 15 + 3 + 53 = 134.
//   Compute on 16 x 16 (docs/pe-array.md): a fold costs OS k + 2m + n - 2, WS/IS 2r + s + c - 2.
//     OS: rows <- m = 20 (folds 16, 4), cols <- n = 8: (40+32+8-2) + (40+8+8-2) = 78 + 54 = 132.
//     WS: rows <- k = 40 (16, 16, 8), cols <- n, streams m = 20: 58 + 58 + 42 = 158.
//     IS: rows <- k (16, 16, 8), cols <- m (16, 4), streams n = 8: (54+54+38) + (42+42+26) = 256.
//     OST (mult and adder only): rows <- n = 8, cols <- m (16, 4), streams k: (40+16+16-2) + (40+16+4-2) =
//     128.
//   Cycles: mult/adder OS 123+132 = 255, WS 281, IS 379, OST 251; shift OS 134+132 = 266, WS 292, IS 390.
//
// Energy (docs/energy.md, docs/accelerator-model.md "Action counts"), 6400 MACs; fr x fc folds
// (OS 2 x 1, WS 3 x 1, IS 3 x 2, OST 1 x 2):
//   compute = 6400 x PE op + partial-sum adds x 0.1 (int32 add). PE op: mult 0.2 + 0.1 = 0.3; adder
//     0.03 + 0.03 + 0.1 = 0.16; shift: a 24-bit shift, 0.024 + (16/24)(0.13 - 0.024) = 0.0946667, + 0.1.
//     Partial sums: WS/IS m.n.(fr - 1) = 160 x 2 = 320 (32 pJ); OS none.
//   input buffer (32 KiB, 2.5 pJ/B): load writes m.k + reads m.k.fc (OS, WS), m.k (IS) or m.k.fr (OST: the
//     activations enter at the top, once per row fold), x act bytes: mult (1 B): 800 + 800 = 1600 B in every
//     dataflow; shift (2 B): 3200 B.
//   weight buffer (32 KiB): load writes k.n + reads k.n.fr (OS), k.n (WS), k.n.fc (IS, OST), x weight
//     bytes: mult: OS 320 + 640, WS 320 + 320, IS 320 + 640, OST 320 + 640; shift (0.75 B): OS 240 + 480, WS
//     240 + 240, IS 240 + 480.
//   output buffer (16 KiB, 1.767767 pJ/B), 4-byte accumulators: result writes m.n (OS) or m.n.fr (WS, IS),
//     partial-sum reads, and the store's read of the m.n results: OS, OST (160 + 0 + 160) x 4 = 1280 B;
//     WS/IS (480 + 320 + 160) x 4 = 3840 B.
//   global buffer (9.059746 pJ/B), unrounded bytes: fetches write input and weights, loads read them, the
//     store writes the output, the writeback reads it: mult 2 x (800 + 320) + 2 x 160 = 2560 B; shift
//     2 x (1600 + 240) + 2 x 320 = 4320 B.
//   DRAM (162.5 pJ/B, whole bursts): mult 832 + 320 + 192 = 1344 B; shift 1600 + 256 + 320 = 2176 B.
//   idle: (256 PEs x compute cycles - 6400) x 0.02: OS 547.84, WS 680.96, IS 1182.72, OST 527.36.
//   static over T cycles: 1312 x 0.005 x T + 1071 x 0.02 x T + 0.02 x (256 (T - compute) + 512 T + 512 T)
//     = 53.58 T - 5.12 compute.
constexpr double kLocalOsMult = 1600 * 2.5 + 960 * 2.5 + 1280 * 1.7677669529663689;
constexpr double kLocalWsMult = 1600 * 2.5 + 640 * 2.5 + 3840 * 1.7677669529663689;
constexpr double kLocalIsMult = 1600 * 2.5 + 960 * 2.5 + 3840 * 1.7677669529663689;
constexpr double kLocalOsShift = 3200 * 2.5 + 720 * 2.5 + 1280 * 1.7677669529663689;
constexpr double kLocalWsShift = 3200 * 2.5 + 480 * 2.5 + 3840 * 1.7677669529663689;
constexpr double kLocalIsShift = 3200 * 2.5 + 720 * 2.5 + 3840 * 1.7677669529663689;
constexpr double kShiftOp = 0.024 + 16.0 / 24.0 * (0.13 - 0.024) + 0.1;

const Golden kGemm[] = {
    // op, dataflow, cycles, compute, compute pJ, local, glb, dram, idle, static
    {"mult", Dataflow::OutputStationary, 255, 132, 1920, kLocalOsMult, 23192.94924, 218400, 547.84, 12987.06},
    {"mult", Dataflow::WeightStationary, 281, 158, 1952, kLocalWsMult, 23192.94924, 218400, 680.96, 14247.02},
    {"mult", Dataflow::InputStationary, 379, 256, 1952, kLocalIsMult, 23192.94924, 218400, 1182.72, 18996.10},
    {"shift", Dataflow::OutputStationary, 266, 132, 6400 * kShiftOp, kLocalOsShift, 39138.10184, 353600,
     547.84, 13576.44},
    {"shift", Dataflow::WeightStationary, 292, 158, 6400 * kShiftOp + 32, kLocalWsShift, 39138.10184, 353600,
     680.96, 14836.40},
    {"shift", Dataflow::InputStationary, 390, 256, 6400 * kShiftOp + 32, kLocalIsShift, 39138.10184, 353600,
     1182.72, 19585.48},
    {"adder", Dataflow::OutputStationary, 255, 132, 1024, kLocalOsMult, 23192.94924, 218400, 547.84,
     12987.06},
    {"adder", Dataflow::WeightStationary, 281, 158, 1056, kLocalWsMult, 23192.94924, 218400, 680.96,
     14247.02},
    {"adder", Dataflow::InputStationary, 379, 256, 1056, kLocalIsMult, 23192.94924, 218400, 1182.72,
     18996.10},
    // 53.58 x 251 - 5.12 x 128 = 12793.22
    {"mult", Dataflow::OutputStationaryTransposed, 251, 128, 1920, kLocalOsMult, 23192.94924, 218400, 527.36,
     12793.22},
    {"adder", Dataflow::OutputStationaryTransposed, 251, 128, 1024, kLocalOsMult, 23192.94924, 218400, 527.36,
     12793.22},
};

void PrintTo(const Golden& g, std::ostream* os) {
  *os << g.op << " " << to_string(g.dataflow);
}

// Equal to 9 significant digits (the hand values are rounded there).
void expect_pJ(double expected, double actual, const std::string& what) {
  EXPECT_NEAR(actual, expected, 1e-8 * std::max(1.0, std::fabs(expected)) + 0.006) << what;
}

nlohmann::json one_layer_workload(const nlohmann::json& input_shape, int input_bits, nlohmann::json layer) {
  return {{"format", "cosim-workload/1"},
          {"name", "golden"},
          {"input", {{"shape", input_shape}, {"bits", input_bits}}},
          {"layers", nlohmann::json::array({std::move(layer)})}};
}

RunReport run_fixed(const ArchSpec& arch, const nlohmann::json& workload) {
  const Network net = read_network(JsonField::from(workload, test::source_path("workloads/golden.json")));
  NetworkSimulator sim(arch);
  return sim.run(net, fixed_mapping(net, arch));
}

void expect_report(const RunReport& r, uint64_t cycles, uint64_t compute_cycles, const EnergyBreakdown& e,
                   double static_pJ) {
  ASSERT_EQ(r.layers.size(), 1u);
  const LayerReport& l = r.layers[0];
  EXPECT_EQ(r.total_cycles, cycles);
  EXPECT_EQ(l.cycles, cycles);
  EXPECT_EQ(l.compute_cycles, compute_cycles);
  expect_pJ(e.compute, l.energy.compute, "compute");
  expect_pJ(e.local, l.energy.local, "local buffers");
  expect_pJ(e.glb, l.energy.glb, "global buffer");
  expect_pJ(e.dram, l.energy.dram, "DRAM");
  expect_pJ(e.idle, l.energy.idle, "idle");
  expect_pJ(static_pJ, r.static_pJ, "static");
  expect_pJ(e.total() + static_pJ, r.energy_pJ, "total");
}

class GoldenGemm : public testing::TestWithParam<Golden> {};

TEST_P(GoldenGemm, CyclesAndEveryEnergyComponentByHand) {
  const Golden& g = GetParam();
  // Folds one after the other (the hand counts below are for that discipline; the pipelined one is pinned in
  // GoldenGemmPipelined).
  const ArchSpec arch = test::arch_with("arch/default.json", [&](nlohmann::json& j) {
    for (auto& c : j["chunks"]) {
      // The transposed dataflow needs a commuting PE: the shift chunk (not the layer's) keeps OS.
      const bool commutes = c["op"] != "shift" || g.dataflow != Dataflow::OutputStationaryTransposed;
      c["dataflows"] = {commutes ? to_string(g.dataflow) : "output_stationary"}, c["fold_pipelining"] = false;
    }
  });
  const bool shift = std::string(g.op) == "shift";
  const nlohmann::json layer = {{"name", "fc"},
                                {"type", "linear"},
                                {"out_features", 8},
                                {"op", g.op},
                                {"bits", {{"act", shift ? 16 : 8}, {"weight", shift ? 6 : 8}}}};
  const RunReport r = run_fixed(arch, one_layer_workload({20, 40}, shift ? 16 : 8, layer));
  ASSERT_EQ(r.layers.size(), 1u);
  EXPECT_EQ(r.layers[0].macs, 6400u);
  EXPECT_EQ(r.layers[0].tiles, 1u);
  EXPECT_EQ(r.layers[0].mapping.dataflow, g.dataflow);
  expect_report(r, g.cycles, g.compute_cycles, {g.compute, g.local, g.glb, g.dram, g.idle}, g.static_pJ);
  // Traffic as reported: the DRAM and global-buffer bytes above; compulsory = input + weights + result
  // (mult/adder 800 + 320 + 160, shift 1600 + 240 + 320).
  EXPECT_DOUBLE_EQ(r.layers[0].actions.dram_bytes, shift ? 2176 : 1344);
  EXPECT_DOUBLE_EQ(r.layers[0].actions.glb_bytes, shift ? 4320 : 2560);
  EXPECT_DOUBLE_EQ(r.traffic.dram_bytes, shift ? 2176 : 1344);
  EXPECT_EQ(r.compulsory_dram_bytes, shift ? 2160u : 1280u);
  // By tensor. DRAM, in 64 B bursts: input 800 -> 832 (shift 1600), weights 320 (240 -> 256), result 160 ->
  // 192 (320). Global buffer: each byte written by its fetch and read by its load (the result: written by the
  // store, read by the writeback).
  const TensorBytes &d = r.traffic.dram_by_tensor, &b = r.traffic.glb_by_tensor;
  EXPECT_DOUBLE_EQ(d.input, shift ? 1600 : 832);
  EXPECT_DOUBLE_EQ(d.weight, shift ? 256 : 320);
  EXPECT_DOUBLE_EQ(d.output, shift ? 320 : 192);
  EXPECT_DOUBLE_EQ(d.index, 0);
  EXPECT_DOUBLE_EQ(b.input, shift ? 3200 : 1600);
  EXPECT_DOUBLE_EQ(b.weight, shift ? 480 : 640);
  EXPECT_DOUBLE_EQ(b.output, shift ? 640 : 320);
}

// The same multiplier layer, output stationary, on the array with pipelined folds (docs/pe-array.md). The
// tile is m = 20 on the 16 rows (two row folds: 16 and 4), n = 8 on the columns, k = 40 streaming. Fold 0
// starts at 0; fold 1 max(T, 2*16 - 1) = max(40, 31) = 40 later; the tile's results are out after 40 + (T +
// 2*4 + 8 - 3) = 40 + 53 = 93 cycles (132 fold after fold: 2*(40 - 2) + 2*20 + 2*8). The unit is busy for the
// issue cycles: 40 + max(40, 2*4 - 1) = 80. The layer is otherwise the same: 255 - 132 + 93 = 216 cycles, the
// same MAC energy.
TEST(GoldenGemmPipelined, OutputStationaryMultOverlapsItsFolds) {
  const ArchSpec arch = test::arch_with("arch/default.json", [&](nlohmann::json& j) {
    for (auto& c : j["chunks"]) c["dataflows"] = {"output_stationary"}, c["fold_pipelining"] = true;
  });
  const nlohmann::json layer = {{"name", "fc"},
                                {"type", "linear"},
                                {"out_features", 8},
                                {"op", "mult"},
                                {"bits", {{"act", 8}, {"weight", 8}}}};
  const RunReport r = run_fixed(arch, one_layer_workload({20, 40}, 8, layer));
  ASSERT_EQ(r.layers.size(), 1u);
  EXPECT_EQ(r.layers[0].tiles, 1u);
  EXPECT_EQ(r.total_cycles, 216u);
  EXPECT_EQ(r.layers[0].compute_cycles, 80u);
  EXPECT_EQ(r.layers[0].cycles, 216u);
  EXPECT_DOUBLE_EQ(r.layers[0].energy.compute, 1920);
}

INSTANTIATE_TEST_SUITE_P(Layers, GoldenGemm, testing::ValuesIn(kGemm), [](const auto& info) {
  return std::string(info.param.op) + "_" + to_string(info.param.dataflow);
});

// GELU on [20, 40] at 8 bits: 800 elements, one tile (16 KiB, half the vector buffer, holds 8192 elements of
// 1 B in + 1 B out). The vector unit streams DRAM tensors through the global buffer (each byte written and
// read there) and its output, the network's result, goes to DRAM. Load 800 B -> 13 bursts = 832 B ->
// ceil(5*832/768) = 6 + 50 = 56; compute ceil(800/32 lanes) x 2 cycles = 50 -> 106; store 800 B = 832 B of
// bursts -> 6 + 50 = 56 -> 162.
// Energy: 800 x (2 fp16 adds x 0.4 + 4 fp16 mults x 1.1) = 4160; vector buffer written and read for each
// loaded and stored byte: 3200 B x 2.5 = 8000; global buffer 2 x 800 + 2 x 800 = 3200 B x 9.059746; DRAM
// 2 x 832 B x 162.5 = 270400; no idle. Static over 162: 1312 x 0.005 x 162 + 1071 x 0.02 x 162 + 1280 x 0.02
// x 162.
TEST(GoldenVector, GeluOneTileByHand) {
  const RunReport r = run_fixed(read_arch(test::source_path("arch/default.json")),
                                one_layer_workload({20, 40}, 8, {{"name", "act"}, {"type", "gelu"}}));
  expect_report(r, 162, 50, {4160, 8000, 28991.18655, 270400, 0}, 1062.72 + 3470.04 + 4147.2);
}

// Softmax on [200, 100] at 8 bits: 20000 elements in tiles of whole rows filling half the vector buffer:
// floor(8192 / 100) x 100 = 8100, so 8100, 8100, 3800. Input and output in DRAM. Per tile: load 8100 B -> 127
// bursts = 8128 B -> ceil(5*8128/768) = 53 cycles (3800 -> 3840 B -> 25), + 50 latency; compute
// ceil(8100/32) x 4 = 1016 (3800: 119 x 4 = 476); store to DRAM as the load. Double buffering (two slots
// each side):
//   L0 0..53, arrives 103; C0 103..1119; L1 issued at 103 (second slot), arrives 206;
//   L2 waits for a slot (freed when C0 ends): issued 1119 with S0, both done before 1300;
//   C1 1119..2135; C2 max(L2, C1) = 2135..2611; S1 2135..2238; S2 2611 + 25 + 50 = 2686.
// Energy: 20000 x (4 x 0.4 + 4 x 1.1) = 120000; vector buffer (20000 + 20000) x 2 B x 2.5 = 200000; global
// buffer 2 x 20000 + 2 x 20000 = 80000 B x 9.059746 = 724779.6637; DRAM 2 x (8128 + 8128 + 3840) x 162.5 =
// 6531200. Static over 2686: 1312 x 0.005 x 2686 + 1071 x 0.02 x 2686 + 1280 x 0.02 x 2686.
TEST(GoldenVector, SoftmaxThreeTilesDoubleBufferedByHand) {
  const RunReport r = run_fixed(read_arch(test::source_path("arch/default.json")),
                                one_layer_workload({200, 100}, 8, {{"name", "probs"}, {"type", "softmax"}}));
  EXPECT_EQ(r.layers.at(0).tiles, 3u);
  expect_report(r, 2686, 1016 + 1016 + 476, {120000, 200000, 724779.6637, 6531200, 0},
                17620.16 + 57534.12 + 68761.6);
}

}  // namespace
}  // namespace cosim

namespace cosim {
namespace {

// A 3x3 convolution (padding 1) on a [4, 8, 8] int8 input kept in DRAM (the network input): its GEMM has
// m = 64 output pixels, k = 36, n = 8; the im2col expansion of its input would be 64 x 36 = 2304 B, but the
// global buffer holds the raw input under its windows: all 8 rows of 8 pixels x 4 channels = 256 B, 4 bursts.
// Weights 36 x 8 = 288 B -> 5 bursts = 320 B; the result 64 x 8 = 512 B, 8 bursts.
TEST(GoldenConv, GlobalBufferHoldsTheRawInputNotItsExpansion) {
  const RunReport r = run_fixed(read_arch(test::source_path("arch/default.json")),
                                one_layer_workload({4, 8, 8}, 8,
                                                   {{"name", "conv"},
                                                    {"type", "conv2d"},
                                                    {"out_channels", 8},
                                                    {"kernel", 3},
                                                    {"padding", 1},
                                                    {"op", "mult"},
                                                    {"bits", {{"act", 8}, {"weight", 8}}}}));
  ASSERT_EQ(r.layers.size(), 1u);
  EXPECT_EQ(r.layers[0].mapping.glb_tile_m, 64);  // the whole input in one global-buffer tile
  const TensorBytes& d = r.traffic.dram_by_tensor;
  EXPECT_DOUBLE_EQ(d.input, 256);
  EXPECT_DOUBLE_EQ(d.weight, 320);
  EXPECT_DOUBLE_EQ(d.output, 512);
  EXPECT_EQ(r.compulsory_dram_bytes, 256u + 288u + 512u);
  // The chunk still reads the expanded tiles from the global buffer (at least the 2304 B once), after the
  // fetch wrote the 256 B there.
  EXPECT_GE(r.traffic.glb_by_tensor.input, 256.0 + 2304.0);
}

}  // namespace
}  // namespace cosim

namespace cosim {
namespace {

// Next-layer weight prefetch by hand (docs/accelerator-model.md): two linear layers on the default preset,
// output stationary, int8: "a" (input [20, 40] from DRAM, 40 -> 8, its output 160 B kept in the global
// buffer) then "b" (8 -> 16, weights 8 x 16 = 128 B = 2 bursts, its result 320 B to DRAM). Each is one tile.
//   a: fetch 832 B + 320 B (0..6, 6..9, + 50 = 59), load 7 + 3 cycles (69), compute 132 (201), store 160 B
//     (2 cycles): ends at 203. Its chunk's load thread takes b at 69, after a's last loads.
//   b prefetched: weights requested at 69, 69..70, arrive 120, while a computes. At 203 (a done) b loads
//     input 160 B (2) and weights (1) to 206, computes (8 + 32 + 16 - 2) + (8 + 8 + 16 - 2) = 84 to 290,
//     stores 320 B (3) to 293, writes back 5 bursts (3 + 50): ends at 346.
//   b not prefetched: weights at 203, arrive 254; loads to 257, compute to 341, store to 344, writeback 397.
// Room: while a runs the global buffer holds a's output (160 B, kept from its birth) and a's staged tile
// (input 800 + weights 320 = 1120 B), so b's 128 B prefetch on taking it needs 160 + 1120 + 128 = 1408 B.
// With 1407 B it waits for a's end instead (then the same as no prefetch: a is what b waits for).
TEST(GoldenNetwork, NextLayerWeightsPrefetchedWhileThePreviousComputesWhenTheyFit) {
  auto arch = [](const char* glb) {
    return test::arch_with("arch/default.json", [&](nlohmann::json& j) {
      for (auto& c : j["chunks"]) c["dataflows"] = {"output_stationary"}, c["fold_pipelining"] = false;
      j["global_buffer"]["size"] = glb;
    });
  };
  const nlohmann::json bits = {{"act", 8}, {"weight", 8}};
  const nlohmann::json layers = nlohmann::json::array(
      {{{"name", "a"}, {"type", "linear"}, {"out_features", 8}, {"op", "mult"}, {"bits", bits}},
       {{"name", "b"}, {"type", "linear"}, {"out_features", 16}, {"op", "mult"}, {"bits", bits}}});
  nlohmann::json w = one_layer_workload({20, 40}, 8, layers[0]);
  w["layers"] = layers;
  const Network net = read_network(JsonField::from(w, test::source_path("workloads/golden.json")));
  // Every simulator is built before the first runs (one SystemC elaboration).
  NetworkSimulator roomy_sim(arch("512 KiB"), "roomy"), exact_sim(arch("1408 B"), "exact"),
      short_sim(arch("1407 B"), "short");
  const std::vector<LayerPlan> roomy_plans = fixed_mapping(net, roomy_sim.arch()),
                               exact_plans = fixed_mapping(net, exact_sim.arch()),
                               short_plans = fixed_mapping(net, short_sim.arch());
  const RunReport roomy = roomy_sim.run(net, roomy_plans), exact = exact_sim.run(net, exact_plans),
                  tight = short_sim.run(net, short_plans);
  for (const RunReport* r : {&roomy, &exact, &tight}) {
    ASSERT_EQ(r->layers.size(), 2u);
    EXPECT_EQ(r->layers[0].end_cycle, 203u);
    EXPECT_EQ(r->layers[1].start_cycle, 203u);
  }
  EXPECT_EQ(roomy.layers[1].end_cycle, 346u);
  EXPECT_EQ(exact.layers[1].end_cycle, 346u);
  EXPECT_EQ(tight.layers[1].end_cycle, 397u);
  EXPECT_EQ(exact_plans[1].prefetch_fetches, 1);
  EXPECT_EQ(exact_plans[1].prefetch_after, -1);
  EXPECT_EQ(short_plans[1].prefetch_after, 0);
  EXPECT_EQ(exact.layers[1].mapping.weight_home, "DRAM (prefetched)");
  EXPECT_EQ(exact_plans[0].prefetch_fetches, 0) << "the first layer's weights have nothing to hide behind";
}

}  // namespace
}  // namespace cosim
