// The auto-mapper at network level, checked by the SystemC accelerator model: in a whole-network run no layer
// does worse than under the fixed mapping for the chosen objective; the balanced allocation streams a batch
// faster than an equal split; pipelined plans keep every dependency.
#include <gtest/gtest.h>

#include "flow/network_simulator.hpp"
#include "mapper/auto_mapping.hpp"
#include "mapper/chunk_allocation.hpp"
#include "mapper/fixed_mapping.hpp"
#include "mapper/network_schedule.hpp"
#include "spec/json_reader.hpp"
#include "support/test_files.hpp"

namespace cosim {
namespace {

using test::source_path;

double layer_value(const LayerReport& l, Objective o) {
  switch (o) {
    case Objective::Latency:
      return double(l.cycles);
    case Objective::Energy:
      return l.energy.total();
    case Objective::Edp:
      return double(l.cycles) * l.energy.total();
  }
  return 0;
}

TEST(NetworkMapping, MappedVitRunIsNeverWorseThanFixedOnAnyLayer) {
  const ArchSpec arch = read_arch(source_path("arch/default.json"));
  NetworkSimulator sim(arch);
  const Network net = read_network(source_path("workloads/vit.json"));
  const RunReport fixed = sim.run(net, fixed_mapping(net, arch));
  for (Objective o : {Objective::Latency, Objective::Energy, Objective::Edp}) {
    const RunReport mapped = sim.run(net, auto_mapping(net, arch, o).plans);
    ASSERT_EQ(mapped.layers.size(), fixed.layers.size());
    int better = 0;
    for (size_t i = 0; i < fixed.layers.size(); ++i) {
      const double a = layer_value(mapped.layers[i], o), b = layer_value(fixed.layers[i], o);
      EXPECT_LE(a, b * (1 + 1e-12)) << to_string(o) << " " << fixed.layers[i].name;
      better += a < b;
    }
    EXPECT_GT(better, 12) << to_string(o);
    if (o == Objective::Latency) {
      EXPECT_LT(mapped.total_cycles, fixed.total_cycles);
    }
    if (o == Objective::Energy) {
      EXPECT_LT(mapped.energy_pJ, fixed.energy_pJ);
    }
  }
}

std::vector<LayerPlan> pipeline(const Network& net, const ArchSpec& arch, int items) {
  const AutoMapping m = auto_mapping(net, arch, Objective::Edp);
  std::vector<LayerCost> costs;
  for (const LayerMappingRecord& r : m.records) costs.push_back(r.cost);
  return pipelined_plans(m.plans, schedule_pipelined(m.plans, costs, arch.unit_count(), items));
}

TEST(NetworkMapping, BalancedAllocationStreamsHybridCnnFasterThanEqualSplit) {
  const ArchSpec arch = read_arch(source_path("arch/default.json"));
  const Network net = read_network(source_path("workloads/resnet20_hybrid.json"));
  const Allocation equal = equal_allocation(net, arch, Objective::Edp);
  const Allocation balanced = balanced_allocation(net, arch, Objective::Edp);
  // Same totals.
  uint64_t pe_e = 0, pe_b = 0, in_e = 0, in_b = 0;
  for (const ChunkSpec& c : equal.arch.chunks) pe_e += uint64_t(c.pes()), in_e += c.input_buffer;
  for (const ChunkSpec& c : balanced.arch.chunks) pe_b += uint64_t(c.pes()), in_b += c.input_buffer;
  EXPECT_LE(pe_b, pe_e);
  EXPECT_LE(in_b, in_e);
  EXPECT_LT(balanced.bottleneck, equal.bottleneck);
  NetworkSimulator sim_equal(equal.arch, "equal"), sim_balanced(balanced.arch, "balanced");
  const int items = 16;
  const RunReport re = sim_equal.run(net, pipeline(net, equal.arch, items));
  const RunReport rb = sim_balanced.run(net, pipeline(net, balanced.arch, items));
  EXPECT_EQ(re.items, items);
  EXPECT_EQ(rb.items, items);
  EXPECT_LT(rb.total_cycles, re.total_cycles)
      << "balanced " << rb.total_cycles << " vs equal " << re.total_cycles;
  // Pipelining beats running the items one after the other, layer by layer.
  const RunReport one = sim_equal.run(net, auto_mapping(net, equal.arch, Objective::Edp).plans);
  EXPECT_LT(re.total_cycles, one.total_cycles * items * 3 / 4);
}

TEST(NetworkMapping, PipelinedPlansKeepDependenciesAndOrderEachItem) {
  const ArchSpec arch = read_arch(source_path("arch/default.json"));
  const Network net = read_network(source_path("workloads/resnet20_hybrid.json"));
  const auto one = auto_mapping(net, arch, Objective::Latency).plans;
  const auto plans = pipeline(net, arch, 5);
  ASSERT_EQ(plans.size(), one.size() * 5);
  std::vector<int> seen(5, 0);
  for (size_t i = 0; i < plans.size(); ++i) {
    for (int d : plans[i].deps) {
      ASSERT_LT(d, int(i));
      EXPECT_EQ(plans[size_t(d)].item, plans[i].item) << "items are independent";
    }
    ++seen[size_t(plans[i].item)];
  }
  for (int s : seen) EXPECT_EQ(s, int(one.size()));
  EXPECT_NO_THROW(plan_graph(plans));
}

TEST(NetworkMapping, GraphOfResidualNetworkHasBranches) {
  const ArchSpec arch = read_arch(source_path("arch/default.json"));
  const Network net = read_network(source_path("workloads/resnet20_hybrid.json"));
  const auto plans = auto_mapping(net, arch, Objective::Latency).plans;
  const PlanGraph g = plan_graph(plans);
  int joins = 0;
  for (size_t v = 0; v < boost::num_vertices(g); ++v) joins += boost::in_degree(v, g) >= 2;
  EXPECT_GE(joins, 9) << "every residual add joins two branches";
  std::vector<LayerPlan> cyclic = plans;
  cyclic[0].deps.push_back(int(cyclic.size()) - 1);
  EXPECT_THROW(plan_graph(cyclic), std::logic_error);
}

TEST(NetworkMapping, ConcatJoinsBranchesThatRunOnDifferentChunks) {
  const nlohmann::json w = nlohmann::json::parse(R"({
    "format": "cosim-workload/1", "name": "inception-like",
    "input": {"shape": [16, 16, 16], "bits": 8},
    "defaults": {"bits": {"mult": {"act": 8, "weight": 8}, "shift": {"act": 16, "weight": 6},
                          "adder": {"act": 8, "weight": 8}}},
    "layers": [
      {"name": "a", "type": "conv2d", "out_channels": 16, "kernel": 1, "op": "mult", "inputs": ["input"]},
      {"name": "b", "type": "conv2d", "out_channels": 24, "kernel": 3, "padding": 1, "op": "shift",
       "inputs": ["input"]},
      {"name": "cat", "type": "concat", "inputs": ["a", "b"], "output": [40, 16, 16]},
      {"name": "c", "type": "conv2d", "out_channels": 8, "kernel": 1, "op": "adder"}
    ]})");
  const Network net = read_network(JsonField::from(w, "inception.json"));
  const ArchSpec arch = read_arch(source_path("arch/default.json"));
  const AutoMapping m = auto_mapping(net, arch, Objective::Latency);
  ASSERT_EQ(m.plans.size(), 4u);
  EXPECT_EQ(m.plans[2].unit, arch.vector_unit_index());
  EXPECT_EQ(m.plans[2].deps, (std::vector<int>{0, 1}));
  const PlanGraph g = plan_graph(m.plans);
  EXPECT_EQ(boost::in_degree(2, g), 2u);
  NetworkSimulator sim(arch);
  const RunReport r = sim.run(net, m.plans);
  // The two branches run at the same time on the multiplier and shift chunks.
  EXPECT_LT(r.layers[1].start_cycle, r.layers[0].end_cycle);
  EXPECT_GE(r.layers[2].start_cycle, std::max(r.layers[0].end_cycle, r.layers[1].end_cycle));
  const Schedule s = schedule_layer_by_layer(
      m.plans,
      [&] {
        std::vector<LayerCost> c;
        for (const auto& x : m.records) c.push_back(x.cost);
        return c;
      }(),
      arch.unit_count());
  EXPECT_EQ(s.max_parallel, 2);
}

}  // namespace
}  // namespace cosim

namespace cosim {
namespace {

// Weights that bypass the global buffer go from DRAM into the chunk: no global-buffer fetch of them, so each
// weight layer moves fewer global-buffer bytes, and its weights cross DRAM at least once.
TEST(NetworkMapping, BypassedWeightsSkipTheGlobalBuffer) {
  const Network net = read_network(source_path("workloads/deit_tiny.json"));
  const ArchSpec staged = read_arch(source_path("arch/default.json"));
  const ArchSpec bypass = test::arch_with(
      "arch/default.json", [](nlohmann::json& j) { j["global_buffer"]["bypass"] = {"weights"}; });
  const std::vector<LayerPlan> a = fixed_mapping(net, staged), b = fixed_mapping(net, bypass);
  ASSERT_EQ(a.size(), b.size());
  int weight_layers = 0;
  for (size_t i = 0; i < a.size(); ++i) {
    const Layer& l = net.layers[size_t(a[i].layer)];
    if (l.work != WorkKind::Gemm || !l.b_is_weight) continue;
    ++weight_layers;
    SCOPED_TRACE(l.name);
    EXPECT_EQ(b[i].mapping.weight_home, "DRAM (bypass)");
    EXPECT_EQ(a[i].mapping.weight_home, "DRAM");
    const uint64_t weights = bytes_of(uint64_t(l.gemm.groups * l.gemm.k * l.gemm.n), l.weight_bits);
    double direct = 0;  // DRAM loads straight into the chunk
    for (const TileStep& t : b[i].tiles)
      for (const Transfer& x : t.loads) direct += x.dram ? double(x.bytes) : 0;
    EXPECT_GE(direct, double(weights));
    EXPECT_LT(b[i].actions.glb_bytes, a[i].actions.glb_bytes);
  }
  EXPECT_GT(weight_layers, 10);
}

}  // namespace
}  // namespace cosim

namespace cosim {
namespace {

// A dense attention whose scores do not fit whole runs head group by head group. Hand-sized: the packed
// q, k, v of 64 tokens x 6 heads x 16 (18,432 B, kept from the layernorm to sv) and the 8-bit scores of
// 6 x 64 x 64 (24,576 B) need 18,432 + 24,576 + 4,608 (sv's staging reserve: 2 x (16x64 + 64x16 + 16x16))
// = 47,616 B at sv; a 36 KiB buffer holds them only for 3 heads at a time (12,288 B: 35,328 B), so the
// attention runs in 2 passes of 3 heads and DRAM moves only the compulsory bytes: the input read once
// (18,432) and the result written once (64 x 96 = 6,144).
TEST(NetworkMapping, DenseAttentionRunsInHeadPassesWhenItsScoresDoNotFitWhole) {
  const nlohmann::json w = nlohmann::json::parse(R"({
    "format": "cosim-workload/1", "name": "attention-passes",
    "input": {"shape": [64, 288], "bits": 8}, "defaults": {"op": "mult", "bits": {"mult": {"act": 8, "weight": 8}}},
    "layers": [
      {"name": "ln", "type": "layernorm"},
      {"name": "attn", "type": "attention", "heads": 6}
    ]})");
  const Network net = read_network(JsonField::from(w, "passes.json"));
  auto with_glb = [](uint64_t bytes) {
    return test::arch_with("arch/default.json", [&](nlohmann::json& j) {
      j["global_buffer"]["size"] = std::to_string(bytes) + " B";
    });
  };
  const ArchSpec small = with_glb(36 * 1024), large = with_glb(64 * 1024);
  const std::vector<LayerPlan> passes = fixed_mapping(net, small), whole = fixed_mapping(net, large);
  std::vector<std::string> names;
  for (const LayerPlan& p : passes) names.push_back(plan_name(net.layers[size_t(p.layer)].name, p, 1));
  EXPECT_EQ(names,
            (std::vector<std::string>{"ln", "attn.qk.heads0-2", "attn.softmax.heads0-2", "attn.sv.heads0-2",
                                      "attn.qk.heads3-5", "attn.softmax.heads3-5", "attn.sv.heads3-5"}));
  ASSERT_EQ(passes.size(), 7u);
  EXPECT_EQ(passes[4].deps, (std::vector<int>{3, 0}));  // the next pass reuses the scores buffer
  EXPECT_EQ(passes[1].mapping.output_home, "GLB");
  EXPECT_EQ(whole.size(), 4u);  // room for every head: one pass
  for (const auto* plans : {&passes, &whole}) {
    double dram = 0;
    for (const LayerPlan& p : *plans) dram += p.actions.dram_bytes;
    EXPECT_EQ(dram, 18432.0 + 6144.0) << plans->size() << " plans";
  }
  NetworkSimulator sim(small);  // one elaboration per process
  const RunReport r = sim.run(net, passes);
  EXPECT_EQ(r.compulsory_dram_bytes, 18432u + 6144u);
  EXPECT_EQ(r.traffic.dram_bytes, 18432.0 + 6144.0);
  uint64_t macs = 0;
  for (const LayerReport& l : r.layers) macs += l.macs;
  EXPECT_EQ(macs, 2u * 6 * 64 * 64 * 16 + 64 * 288 + 6 * 64 * 64);  // qk, sv; layernorm, softmax
}

}  // namespace
}  // namespace cosim
