#include <gtest/gtest.h>

#include "spec/quantity.hpp"

namespace cosim {
namespace {

TEST(Quantity, ParsesUnitsIntoBaseUnits) {
  std::string why;
  EXPECT_DOUBLE_EQ(parse_quantity("500 MHz", Dimension::Frequency, why)->value, 500e6);
  EXPECT_DOUBLE_EQ(parse_quantity("512 KiB", Dimension::Size, why)->value, 512.0 * 1024);
  EXPECT_DOUBLE_EQ(parse_quantity("108 KB", Dimension::Size, why)->value, 108.0 * 1024);
  EXPECT_DOUBLE_EQ(parse_quantity("76.8 GB/s", Dimension::Bandwidth, why)->value, 76.8e9);
  auto per_cycle = parse_quantity("64 B/cycle", Dimension::Bandwidth, why);
  EXPECT_TRUE(per_cycle->per_cycle);
  EXPECT_DOUBLE_EQ(per_cycle->value, 64);
  EXPECT_DOUBLE_EQ(parse_quantity("100 ns", Dimension::Time, why)->value, 100e-9);
  EXPECT_TRUE(parse_quantity("50 cycles", Dimension::Time, why)->per_cycle);
  EXPECT_DOUBLE_EQ(parse_quantity("0.2 pJ", Dimension::Energy, why)->value, 0.2e-12);
  EXPECT_DOUBLE_EQ(parse_quantity("1.3 nJ", Dimension::Energy, why)->value, 1.3e-9);
  EXPECT_DOUBLE_EQ(parse_quantity("282 um2", Dimension::Area, why)->value, 282e-12);
}

TEST(Quantity, RefusesWrongDimensionUnknownUnitAndNoNumber) {
  std::string why;
  EXPECT_FALSE(parse_quantity("76.8 GB", Dimension::Bandwidth, why));
  EXPECT_NE(why.find("is a size, expected a bandwidth"), std::string::npos) << why;
  EXPECT_FALSE(parse_quantity("5 parsecs", Dimension::Time, why));
  EXPECT_NE(why.find("unknown unit \"parsecs\""), std::string::npos) << why;
  EXPECT_FALSE(parse_quantity("fast", Dimension::Frequency, why));
  EXPECT_NE(why.find("expected a frequency with a unit"), std::string::npos) << why;
  EXPECT_FALSE(parse_quantity("500", Dimension::Frequency, why));
}

}  // namespace
}  // namespace cosim
