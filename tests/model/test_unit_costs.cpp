// Leakage and area are counted over the same unit list (ArchSpec::units()), so no unit can be missing from
// one of them; the figures of the default preset are pinned by hand.
#include <gtest/gtest.h>

#include <set>

#include "model/area_model.hpp"
#include "model/energy_model.hpp"
#include "support/test_files.hpp"

namespace cosim {
namespace {

using test::source_path;

TEST(UnitCosts, DefaultPresetListsEveryUnitWithItsPesAndSram) {
  const ArchSpec a = read_arch(source_path("arch/default.json"));
  const std::vector<UnitDesc> u = a.units();
  ASSERT_EQ(u.size(), 5u);
  const char* names[] = {"mac", "shift", "adder", "vector", "sparse_attn"};
  const int pes[] = {256, 256, 256, 32, 512};
  const uint64_t sram[] = {80 * 1024, 80 * 1024, 80 * 1024, 32 * 1024, (3 * 53 + 20 + 108) * 1024};
  for (size_t i = 0; i < u.size(); ++i) {
    EXPECT_EQ(u[i].index, int(i));
    EXPECT_EQ(u[i].name, names[i]);
    EXPECT_EQ(a.unit_name(int(i)), names[i]);
    EXPECT_EQ(u[i].pes, pes[i]) << names[i];
    EXPECT_EQ(u[i].sram_bytes, sram[i]) << names[i];
    EXPECT_EQ(u[i].idles, u[i].kind != UnitKind::Vector) << names[i];
  }
}

// 1000 cycles with nothing computing, default preset: leakage of 3 x 256 + 32 + 512 = 1312 PEs x 0.005 pJ
// = 6560 pJ; SRAM 3 x 80 + 32 + 287 + 512 = 1071 KiB x 0.02 pJ = 21420 pJ; idle 0.02 pJ per PE-cycle of the
// 768 chunk PEs and 512 engine MACs = 25600 pJ. Total 53580 pJ. Chunk 1 busy for 400 cycles: 256 x 400 x
// 0.02 = 2048 pJ less idle.
TEST(UnitCosts, StaticEnergyCountsEveryUnitByHand) {
  const ArchSpec a = read_arch(source_path("arch/default.json"));
  const EnergyModel e(a);
  EXPECT_NEAR(e.static_pJ(1000, {0, 0, 0, 0, 0}), 53580.0, 1e-6);
  EXPECT_NEAR(e.static_pJ(1000, {0, 400, 0, 0, 0}), 53580.0 - 2048.0, 1e-6);
  EXPECT_NEAR(e.static_pJ(1000, {0, 0, 0, 0, 300}), 53580.0 - 512 * 300 * 0.02, 1e-6);
  EXPECT_NEAR(e.static_pJ(1000, {0, 0, 0, 900, 0}), 53580.0, 1e-6) << "vector lanes draw no idle energy";
}

TEST(UnitCosts, AreaAndLeakageCountTheSameUnits) {
  for (const char* preset : {"default", "vitcod_like", "eyeriss_like", "systolic32"}) {
    const ArchSpec a = read_arch(source_path(std::string("arch/") + preset + ".json"));
    const ArchArea area = arch_area(a);
    std::vector<std::string> area_units, listed;
    for (const UnitArea& x : area.units) area_units.push_back(x.unit);
    for (const UnitDesc& u : a.units()) listed.push_back(u.name);
    listed.push_back("global_buffer");
    EXPECT_EQ(area_units, listed) << preset;
    // Every unit's SRAM has area and leaks: removing a unit's buffers changes both.
    const EnergyModel e(a);
    double sram_kib = double(a.global_buffer.size) / 1024;
    for (const UnitDesc& u : a.units()) sram_kib += double(u.sram_bytes) / 1024;
    double buffer_um2 = 0;
    for (const UnitArea& x : area.units) buffer_um2 += x.buffer_um2;
    EXPECT_NEAR(buffer_um2, sram_kib * a.technology.sram_um2_per_KiB(), 1e-6) << preset;
  }
}

// Default preset area by hand (Horowitz 45 nm, sram 4800 um2/KiB): mac PE int8 mult 282 + int32 add 137 =
// 419 um2 x 256 = 107264; shift PE 24-bit shift (34 + 16/24 x (157 - 34) = 116) + 137 = 253 x 256 = 64768;
// adder PE 36 + 36 + 137 = 209 x 256 = 53504; vector lane: 16-bit mult, linear between the 8- and 32-bit
// points, 282 + 8/24 x (3495 - 282) = 1353, + 16-bit add 36 + 8/24 x 101 = 69.667, x 32 lanes; engine MAC
// int8 mult + int32 add = 419 x 512 = 214528; buffers 4800 um2 per KiB.
TEST(UnitCosts, DefaultPresetComputeAreaByHand) {
  const ArchSpec a = read_arch(source_path("arch/default.json"));
  const ArchArea area = arch_area(a);
  ASSERT_EQ(area.units.size(), 6u);
  EXPECT_NEAR(area.units[0].compute_um2, 107264, 1e-6);
  EXPECT_NEAR(area.units[1].compute_um2, 64768, 1e-6);
  EXPECT_NEAR(area.units[2].compute_um2, 53504, 1e-6);
  EXPECT_NEAR(area.units[3].compute_um2, 32 * (1353 + 36 + 8.0 / 24 * 101), 1e-6);
  EXPECT_NEAR(area.units[4].compute_um2, 214528, 1e-6);
  EXPECT_NEAR(area.units[5].buffer_um2, 512 * 4800, 1e-6);
  EXPECT_NEAR(area.units[4].buffer_um2, 287 * 4800, 1e-6);
}

}  // namespace
}  // namespace cosim
