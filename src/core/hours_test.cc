#include "core/hours.h"

#include <gtest/gtest.h>

#include <cstring>

namespace usaged {
namespace {

Instant T(const char* s) { return ParseUtc(s); }
const Window kDay{T("2026-01-14 00:00:00"), T("2026-01-15 00:00:00")};

TEST(ChargeableMillisTest, ExactModeCountsTheOverlap) {
  auto m = HoursMode::kExact;
  EXPECT_EQ(ChargeableMillis(T("2026-01-01"), std::nullopt, kDay, m), 86400000);
  EXPECT_EQ(ChargeableMillis(T("2026-01-14 06:00:00"), std::nullopt, kDay, m), 64800000);
  EXPECT_EQ(ChargeableMillis(T("2026-01-14 12:00:00"), T("2026-01-14 12:30:00"), kDay, m),
            1800000);
  EXPECT_EQ(ChargeableMillis(T("2026-01-15 00:00:00"), std::nullopt, kDay, m), 0);
  EXPECT_EQ(ChargeableMillis(T("2026-01-10"), T("2026-01-14 00:00:00"), kDay, m), 0);
  EXPECT_EQ(ChargeableMillis(T("2026-01-10"), T("2026-01-13"), kDay, m), 0);
}

TEST(ChargeableMillisTest, CloudStackModeIsInclusive) {
  auto m = HoursMode::kCloudStackFloat;
  EXPECT_EQ(ChargeableMillis(T("2026-01-01"), std::nullopt, kDay, m), 86400000);
  EXPECT_EQ(ChargeableMillis(T("2026-01-14 12:00:00"), T("2026-01-14 12:30:00"), kDay, m),
            1800001);
  // Deleted exactly at the window start: CloudStack charges one millisecond.
  EXPECT_EQ(ChargeableMillis(T("2026-01-10"), T("2026-01-14 00:00:00"), kDay, m), 1);
  EXPECT_EQ(ChargeableMillis(T("2026-01-15 00:00:00"), std::nullopt, kDay, m), 0);
}

TEST(HoursTest, ExactHours) {
  EXPECT_EQ(HoursFromMillis(86400000, HoursMode::kExact), 24.0);
  EXPECT_EQ(HoursFromMillis(1800000, HoursMode::kExact), 0.5);
  EXPECT_EQ(HoursFromMillis(34080000, HoursMode::kExact), 34080000.0 / 3600000.0);
}

TEST(HoursTest, CloudStackFloatHoursAreBitExact) {
  double h = HoursFromMillis(1800001, HoursMode::kCloudStackFloat);
  // Java: 1800001L / 1000f / 60f / 60f == 0.50000030f, widened to double.
  float expected = 1800001.0f;
  expected /= 1000.0f;
  expected /= 60.0f;
  expected /= 60.0f;
  EXPECT_EQ(h, static_cast<double>(expected));
  uint32_t bits;
  float f = static_cast<float>(h);
  std::memcpy(&bits, &f, sizeof bits);
  EXPECT_EQ(bits, 0x3F000005u);
  EXPECT_NE(h, 0.5);
  EXPECT_EQ(HoursFromMillis(86400000, HoursMode::kCloudStackFloat), 24.0);
  // 1 ms, which CloudStack bills when a resource is removed on a boundary.
  EXPECT_EQ(FormatDecimal6(HoursFromMillis(1, HoursMode::kCloudStackFloat)), "0");
}

TEST(FormatDecimal6Test, MatchesJavaDecimalFormat) {
  EXPECT_EQ(FormatDecimal6(24.0), "24");
  EXPECT_EQ(FormatDecimal6(0.0), "0");
  EXPECT_EQ(FormatDecimal6(0.5), "0.5");
  EXPECT_EQ(FormatDecimal6(9.466666666666667), "9.466667");
  EXPECT_EQ(FormatDecimal6(HoursFromMillis(1800001, HoursMode::kCloudStackFloat)), "0.5");
  EXPECT_EQ(FormatDecimal6(0.9999996), "1");
  EXPECT_EQ(FormatDecimal6(123456.1234564), "123456.123456");
  // Ties round half-even on the exact binary value: 0.0078125 = 2^-7.
  EXPECT_EQ(FormatDecimal6(0.0078125), "0.007812");
  EXPECT_EQ(FormatDecimal6(0.0234375), "0.023438");  // 3 * 2^-7: ...37|5 -> 38
  EXPECT_EQ(FormatDecimal6(2.0000005), "2.000001");   // just above the tie in binary
}

}  // namespace
}  // namespace usaged
