// The shared channels by hand: two units contending for one slow DRAM channel, and requests of the same cycle
// served in the documented order (model/channel_timing.hpp: unit index, then a unit's loads before its
// stores, then the order of the tile's transfer list), whatever order they arrive in. Each test that
// elaborates is its own process.
#include <gtest/gtest.h>

#include <vector>

#include "model/channel_timing.hpp"
#include "sim/accel/accelerator.hpp"
#include "sim/accel/arbitrated_channel.hpp"
#include "support/test_files.hpp"

namespace cosim {
namespace {

// The default preset with a 1 B/cycle DRAM channel ("500 MB/s" at 500 MHz) and a 10-cycle latency.
ArchSpec slow_dram_arch() {
  return test::arch_with("arch/default.json", [](nlohmann::json& j) {
    j["dram"]["bandwidth"] = "500 MB/s";
    j["dram"]["latency"] = "20 ns";
  });
}

LayerPlan one_tile(int unit, uint64_t load_bytes, uint64_t compute, uint64_t store_bytes) {
  LayerPlan p;
  p.unit = unit;
  TileStep t;
  t.loads.push_back({load_bytes, true});
  t.compute_cycles = compute;
  if (store_bytes) t.stores.push_back({store_bytes, false});
  p.tiles.push_back(t);
  return p;
}

// Unit 0 (mac) and unit 1 (shift) each load 100 B from DRAM at cycle 0. One channel: unit 0 goes first
// (lower index) and has its data at 100 + 10 = 110, computes 20 cycles to 130 and stores 64 B over the
// global buffer port (128 B/cycle: 1 cycle) to 131; unit 1's load waits for the channel, 100..200, arrives
// 210, computes to 230, stores to 231. The channel is busy 200 cycles.
TEST(SharedChannels, TwoUnitsContendForOneSlowDramChannel) {
  const ArchSpec arch = slow_dram_arch();
  Accelerator accel("accel", arch);
  const SimResult r = accel.run({one_tile(0, 100, 20, 64), one_tile(1, 100, 20, 64)});
  ASSERT_EQ(r.plans.size(), 2u);
  EXPECT_EQ(r.plans[0].start, 0u);
  EXPECT_EQ(r.plans[0].end, 131u);
  EXPECT_EQ(r.plans[1].start, 0u);
  EXPECT_EQ(r.plans[1].end, 231u);
  EXPECT_EQ(r.total_cycles, 231u);
  EXPECT_EQ(r.dram_busy_cycles, 200u);
  EXPECT_EQ(r.glb_busy_cycles, 2u);
}

// Three units request at cycle 0: the vector unit (index 3) 10 B, the shift chunk (1) 20 B, the mac chunk
// (0) 30 B. In unit order: mac 0..30 (arrives 40), shift 30..50 (60), vector 50..60 (70); each computes
// 5 cycles and stores nothing. Served in any other order, some unit would finish elsewhere.
TEST(SharedChannels, SameCycleRequestsGoByUnitIndex) {
  const ArchSpec arch = slow_dram_arch();
  Accelerator accel("accel", arch);
  const int vector = arch.vector_unit_index();
  const SimResult r = accel.run({one_tile(vector, 10, 5, 0), one_tile(1, 20, 5, 0), one_tile(0, 30, 5, 0)});
  ASSERT_EQ(r.plans.size(), 3u);
  EXPECT_EQ(r.plans[2].end, 45u) << "mac chunk (unit 0) first";
  EXPECT_EQ(r.plans[1].end, 65u) << "shift chunk (unit 1) second";
  EXPECT_EQ(r.plans[0].end, 75u) << "vector unit (unit 3) last";
}

// Next-layer weight prefetch by hand (1 B/cycle DRAM, 10-cycle latency): plan 0 computes 100 cycles on the
// mac chunk, plan 1 50 cycles on the vector unit after it, plan 2 on the mac chunk after plan 1 fetches its
// input (40 B) and its weights (150 B), loads 8 B over the global buffer's port (1 cycle) and computes 5.
//   no prefetch: at 150 the input 150..190 (arrives 200), the weights 190..340 (350); load to 351, end 356;
//   weights on take: the chunk's load thread takes plan 2 at 0: weights 0..150 (160); input 150..190 (200);
//     load to 201, end 206;
//   weights after plan 0 has ended: 100..250 (260); input waits for the channel 250..290 (300); end 306.
// Plan 2 starts (its dependency done) at 150 each time.
TEST(SharedChannels, WeightsPrefetchedWhileThePlansBeforeRun) {
  const ArchSpec arch = slow_dram_arch();
  Accelerator accel("accel", arch);
  auto run = [&](int prefetch, int after) {
    LayerPlan first = one_tile(0, 0, 100, 0), second = one_tile(arch.vector_unit_index(), 0, 50, 0);
    LayerPlan third = one_tile(0, 0, 5, 0);
    first.tiles[0].loads.clear(), second.tiles[0].loads.clear();
    second.deps = {0};
    third.deps = {1};
    third.tiles[0].fetches = {{40, true}, {150, true}};
    third.tiles[0].loads = {{8, false}};
    third.prefetch_fetches = prefetch, third.prefetch_after = after;
    return accel.run({first, second, third});
  };
  const SimResult none = run(0, -1), on_take = run(1, -1), after_first = run(1, 0);
  for (const SimResult* r : {&none, &on_take, &after_first}) {
    ASSERT_EQ(r->plans.size(), 3u);
    EXPECT_EQ(r->plans[1].end, 150u);
    EXPECT_EQ(r->plans[2].start, 150u);
  }
  EXPECT_EQ(none.plans[2].end, 356u);
  EXPECT_EQ(on_take.plans[2].end, 206u);
  EXPECT_EQ(after_first.plans[2].end, 306u);
  EXPECT_EQ(none.dram_busy_cycles, 190u);
  EXPECT_EQ(on_take.dram_busy_cycles, 190u);
}

struct Recorder : ArbitratedChannel::Owner {
  std::vector<uint64_t> done = std::vector<uint64_t>(8, 0);
  void completion_changed(int slot, uint64_t cycle) override { done[size_t(slot)] = cycle; }
};

// The channel alone, requests arriving in the reverse of the documented order within one cycle: a store of
// unit 0, then the second and first load of unit 0's tile, then a load of unit 2, then one of unit 1 (10 B
// each at 1 B/cycle, no latency). Documented order: unit 0 loads (seq 0, seq 1), unit 0 store, unit 1,
// unit 2: arrivals at 10, 20, 30, 40, 50. A later cycle's request goes after all of them.
TEST(SharedChannels, RequestsOfOneCycleAreServedInRequestOrderWhateverTheirArrival) {
  ArbitratedChannel ch(ByteRate{1, 1}, 0);
  Recorder rec;
  ch.request(5, 10, {0, 1, 0}, &rec, 0);  // unit 0, store
  ch.request(5, 10, {0, 0, 1}, &rec, 1);  // unit 0, load seq 1
  ch.request(5, 10, {0, 0, 0}, &rec, 2);  // unit 0, load seq 0
  ch.request(5, 10, {2, 0, 0}, &rec, 3);  // unit 2, load
  ch.request(5, 10, {1, 0, 0}, &rec, 4);  // unit 1, load
  ch.request(6, 10, {0, 0, 0}, &rec, 5);  // next cycle: after everything already queued
  EXPECT_EQ(rec.done[2], 15u);
  EXPECT_EQ(rec.done[1], 25u);
  EXPECT_EQ(rec.done[0], 35u);
  EXPECT_EQ(rec.done[4], 45u);
  EXPECT_EQ(rec.done[3], 55u);
  EXPECT_EQ(rec.done[5], 65u);
  EXPECT_EQ(ch.busy_cycles(), 60u);
}

// Occupancy is an exact ceiling of bytes over the rational rate: 76.8 GB/s at 500 MHz is 768/5 B/cycle, so
// 768 B take exactly 5 cycles and 769 B take 6 (a double quotient with an epsilon can get either wrong).
TEST(SharedChannels, OccupancyIsAnExactCeilingOfARationalRate) {
  const ArchSpec arch = read_arch(test::source_path("arch/default.json"));
  EXPECT_EQ(arch.dram.rate, (ByteRate{768, 5}));
  const ChannelTiming dram(arch.dram.rate, arch.dram.latency_cycles);
  EXPECT_EQ(dram.occupancy(768), 5u);
  EXPECT_EQ(dram.occupancy(769), 6u);
  EXPECT_EQ(dram.occupancy(1), 1u);
  EXPECT_EQ(dram.occupancy(7680000000000ull), 50000000000ull);
  EXPECT_EQ(byte_rate(0.1), (ByteRate{1, 10}));
  EXPECT_EQ(byte_rate(128), (ByteRate{128, 1}));
}

}  // namespace
}  // namespace cosim
