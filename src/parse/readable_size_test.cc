#include "parse/readable_size.h"

#include <gtest/gtest.h>

namespace usaged::parse {
namespace {

TEST(ReadableSize, UnitsAsCloudStackPrintsThem) {
  EXPECT_EQ(JavaHumanReadableSize(0), "0 (0 bytes)");
  EXPECT_EQ(JavaHumanReadableSize(1023), "1023 (1023 bytes)");
  EXPECT_EQ(JavaHumanReadableSize(1536), "1536 (1.50 KB)");
  EXPECT_EQ(JavaHumanReadableSize(21474836480), "21474836480 (20.00 GB)");
  EXPECT_EQ(JavaHumanReadableSize(5LL * 1024 * 1024 * 1024 * 1024), "5497558138880 (5.0000 TB)");
  // 10 GiB + 59 MiB = 10.0576171875 GiB.
  EXPECT_EQ(JavaHumanReadableSize(10LL * 1073741824 + 59 * 1048576), "10799284224 (10.06 GB)");
}

TEST(ReadableSize, RoundsHalfUpFromTheShortestDecimal) {
  EXPECT_EQ(JavaFixed(2.125, 2), "2.13");  // exactly representable: half-up
  EXPECT_EQ(JavaFixed(0.995, 2), "1.00");  // shortest form "0.995" rounds up
  EXPECT_EQ(JavaFixed(9.9999, 2), "10.00");
  EXPECT_EQ(JavaFixed(3.0, 4), "3.0000");
}

}  // namespace
}  // namespace usaged::parse
