// Level 2: the accelerator model's figures move the way the hardware says they must, its energy adds up, it
// is deterministic when workloads stream through it, and chunks overlap where the graph lets them. Each test
// is its own process (one SystemC elaboration); simulators compared in a test are all built first.
#include <gtest/gtest.h>

#include <numeric>

#include "flow/network_simulator.hpp"
#include "mapper/fixed_mapping.hpp"
#include "support/test_files.hpp"

namespace cosim {
namespace {

using test::arch_with;
using test::network_with;
using test::source_path;

ArchSpec preset(const char* name) {
  return read_arch(source_path(std::string("arch/") + name + ".json"));
}
Network workload(const char* name) {
  return read_network(source_path(std::string("workloads/") + name + ".json"));
}

const LayerReport& layer(const RunReport& r, const std::string& name) {
  for (const auto& l : r.layers) {
    if (l.name == name) return l;
  }
  throw std::runtime_error("no layer " + name);
}

TEST(Accelerator, SmallerPeArraysAreSlower) {
  NetworkSimulator big(preset("default"), "big");
  NetworkSimulator small(arch_with("arch/default.json",
                                   [](auto& j) {
                                     for (auto& c : j["chunks"]) c["rows"] = 8, c["cols"] = 8;
                                   }),
                         "small");
  for (const char* w : {"vit", "resnet20_hybrid"}) {
    Network net = workload(w);
    const RunReport b = big.run(net), s = small.run(net);
    EXPECT_GT(s.total_cycles, b.total_cycles) << w;
    EXPECT_GT(layer(s, net.name == "DeiT-Small" ? "block0.fc1" : "s3b3.conv1").compute_cycles,
              layer(b, net.name == "DeiT-Small" ? "block0.fc1" : "s3b3.conv1").compute_cycles)
        << w;
  }
}

TEST(Accelerator, SlowerDramIsSlower) {
  NetworkSimulator fast(preset("default"), "fast");
  NetworkSimulator slow(arch_with("arch/default.json", [](auto& j) { j["dram"]["bandwidth"] = "7.68 GB/s"; }),
                        "slow");
  NetworkSimulator far(arch_with("arch/default.json", [](auto& j) { j["dram"]["latency"] = "2 us"; }), "far");
  Network net = workload("vit");
  // The fixed mapping, which does not look at the memory's speed, so that every run moves the same bytes.
  const std::vector<LayerPlan> plans = fixed_mapping(net, fast.arch());
  const RunReport f = fast.run(net, plans), s = slow.run(net, plans), l = far.run(net, plans);
  EXPECT_GT(s.total_cycles, f.total_cycles);
  EXPECT_GT(l.total_cycles, f.total_cycles);
  EXPECT_GT(s.dram_busy_cycles, f.dram_busy_cycles);
  // The same bytes move, so DRAM energy is the same; static energy grows with the run.
  EXPECT_DOUBLE_EQ(s.dynamic.dram, f.dynamic.dram);
  EXPECT_GT(s.static_pJ, f.static_pJ);
}

// Every conv and linear layer of a network moved onto another operator (bits from the workload's defaults for
// that operator). Attention products multiply two activations and stay on multipliers.
Network with_op(const char* w, const char* op) {
  return network_with(std::string("workloads/") + w + ".json", [op](nlohmann::json& j) {
    j["defaults"]["op"] = op;
    j["defaults"]["bits"] = {{"mult", {{"act", 8}, {"weight", 8}}},
                             {"shift", {{"act", 16}, {"weight", 6}}},
                             {"adder", {{"act", 8}, {"weight", 8}}}};
    std::function<void(nlohmann::json&)> strip = [&](nlohmann::json& layers) {
      for (auto& l : layers) {
        if (l.contains("layers")) strip(l["layers"]);
        if (l.contains("type") && l["type"] == "attention") {
          l["op"] = "mult";
        } else if (l.contains("op")) {
          l["op"] = op;
        }
        l.erase("bits");
      }
    };
    strip(j["layers"]);
  });
}

TEST(Accelerator, ShiftAndAdderLayersSpendLessComputeEnergyThanMultipliers) {
  NetworkSimulator sim(preset("default"));
  for (const char* w : {"resnet20_hybrid", "vit"}) {
    const RunReport mult = sim.run(with_op(w, "mult"));
    const RunReport shift = sim.run(with_op(w, "shift"));
    const RunReport adder = sim.run(with_op(w, "adder"));
    EXPECT_EQ(mult.total_macs, shift.total_macs) << w;
    EXPECT_LT(shift.dynamic.compute, mult.dynamic.compute) << w;
    EXPECT_LT(adder.dynamic.compute, mult.dynamic.compute) << w;
  }
  // The hybrid as written sits between all-mult and its cheaper operators.
  const RunReport hybrid = sim.run(workload("resnet20_hybrid"));
  EXPECT_LT(hybrid.dynamic.compute, sim.run(with_op("resnet20_hybrid", "mult")).dynamic.compute);
}

TEST(Accelerator, EnergyAddsUpAndUtilizationIsAFraction) {
  NetworkSimulator sim(preset("default"));
  const RunReport r = sim.run(workload("vit"));
  double sum = 0;
  for (const auto& l : r.layers) {
    SCOPED_TRACE(l.name);
    EXPECT_GE(l.energy.compute, 0);
    EXPECT_GT(l.energy.local, 0);
    EXPECT_GT(l.energy.glb, 0);
    EXPECT_GE(l.energy.dram, 0);
    EXPECT_GE(l.energy.idle, 0);
    EXPECT_GT(l.utilization, 0);
    EXPECT_LE(l.utilization, 1.0);
    EXPECT_GE(l.cycles, l.compute_cycles);
    EXPECT_LE(l.end_cycle, r.total_cycles);
    sum += l.energy.total();
  }
  EXPECT_GT(r.static_pJ, 0);
  EXPECT_NEAR(sum + r.static_pJ, r.energy_pJ, 1e-6 * r.energy_pJ);
  EXPECT_GT(layer(r, "patch_embed").energy.dram, 0);  // the image comes from DRAM
  EXPECT_GT(r.utilization, 0);
  EXPECT_LE(r.utilization, 1.0);
}

TEST(Accelerator, StreamingWorkloadsIsDeterministic) {
  NetworkSimulator sim(preset("default"));
  Network vit = workload("vit"), cnn = workload("resnet20_hybrid");
  const RunReport a = sim.run(vit);
  sim.run(cnn);
  const RunReport b = sim.run(vit);
  ASSERT_EQ(a.layers.size(), b.layers.size());
  EXPECT_EQ(a.total_cycles, b.total_cycles);
  EXPECT_EQ(a.energy_pJ, b.energy_pJ);
  for (size_t i = 0; i < a.layers.size(); ++i) {
    EXPECT_EQ(a.layers[i].start_cycle, b.layers[i].start_cycle);
    EXPECT_EQ(a.layers[i].cycles, b.layers[i].cycles);
  }
}

TEST(Accelerator, DoubleBufferingOverlapsTransfersWithCompute) {
  NetworkSimulator sim(preset("default"));
  const RunReport r = sim.run(workload("vit"));
  const LayerReport& fc1 = layer(r, "block0.fc1");
  ASSERT_GT(fc1.tiles, 2u);
  // The layer cannot be shorter than its compute, and with double buffering it is far shorter than compute
  // plus every transfer one after the other.
  const ArchSpec a = preset("default");
  EXPECT_GE(fc1.cycles, fc1.compute_cycles);
  const double dram_cycles =
      fc1.energy.dram / (a.technology.dram_access_64b_pJ() / 8) / a.dram.rate.per_cycle();
  EXPECT_LT(double(fc1.cycles), double(fc1.compute_cycles) + dram_cycles + double(fc1.tiles) * 50);
}

TEST(Accelerator, IndependentBranchesOnDifferentChunksOverlap) {
  nlohmann::json j = {
      {"format", "cosim-workload/1"},
      {"name", "two-branches"},
      {"input", {{"shape", {32, 32, 32}}, {"bits", 8}}},
      {"defaults",
       {{"bits", {{"mult", {{"act", 8}, {"weight", 8}}}, {"shift", {{"act", 16}, {"weight", 6}}}}}}},
      {"layers",
       {{{"name", "a"},
         {"type", "conv2d"},
         {"op", "mult"},
         {"out_channels", 64},
         {"kernel", 3},
         {"padding", 1}},
        {{"name", "b"},
         {"type", "conv2d"},
         {"op", "shift"},
         {"inputs", {"input"}},
         {"out_channels", 64},
         {"kernel", 3},
         {"padding", 1}},
        {{"name", "sum"}, {"type", "add"}, {"inputs", {"a", "b"}}}}}};
  Network net = read_network(JsonField::from(j, "two_branches.json"));
  NetworkSimulator sim(preset("default"));
  const RunReport r = sim.run(net);
  const LayerReport &a = layer(r, "a"), &b = layer(r, "b"), &sum = layer(r, "sum");
  EXPECT_EQ(a.unit, "mac");
  EXPECT_EQ(b.unit, "shift");
  EXPECT_LT(b.start_cycle, a.end_cycle);  // b did not wait for a
  EXPECT_LT(r.total_cycles, a.cycles + b.cycles + sum.cycles);
  EXPECT_GE(sum.start_cycle, std::max(a.end_cycle, b.end_cycle));  // the add waits for both
}

TEST(Accelerator, EveryPresetRunsTheWorkloadsItSupports) {
  NetworkSimulator sys(preset("systolic32"), "sys");
  NetworkSimulator eye(preset("eyeriss_like"), "eye");
  const RunReport s = sys.run(workload("mobilenetv2_cifar"));
  const RunReport e = eye.run(workload("mobilenetv2_cifar"));
  EXPECT_GT(s.total_cycles, 0u);
  // 168 PEs at 200 MHz with a 1.6 GB/s DRAM are much slower than 1024 PEs at 500 MHz with 76.8 GB/s.
  EXPECT_GT(e.total_us, s.total_us);
}

}  // namespace
}  // namespace cosim
