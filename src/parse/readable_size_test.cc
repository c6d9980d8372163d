#include "parse/readable_size.h"

#include <gtest/gtest.h>

#include <limits>

namespace usaged::parse {
namespace {

// Expected texts are what CloudStack's NumbersUtil.toHumanReadableSize
// prints under Java 17 with an English locale.
TEST(ReadableSize, UnitsAsCloudStackPrintsThem) {
  EXPECT_EQ(JavaHumanReadableSize(0), "(0 bytes) 0");
  EXPECT_EQ(JavaHumanReadableSize(1), "(1 bytes) 1");
  EXPECT_EQ(JavaHumanReadableSize(1023), "(1023 bytes) 1023");
  EXPECT_EQ(JavaHumanReadableSize(1024), "(1.00 KB) 1024");
  EXPECT_EQ(JavaHumanReadableSize(1536), "(1.50 KB) 1536");
  EXPECT_EQ(JavaHumanReadableSize(1048576), "(1.00 MB) 1048576");
  EXPECT_EQ(JavaHumanReadableSize(21474836480), "(20.00 GB) 21474836480");
  EXPECT_EQ(JavaHumanReadableSize(5LL * 1024 * 1024 * 1024 * 1024), "(5.0000 TB) 5497558138880");
  // 10 GiB + 59 MiB = 10.0576171875 GiB.
  EXPECT_EQ(JavaHumanReadableSize(10LL * 1073741824 + 59 * 1048576), "(10.06 GB) 10799284224");
  EXPECT_EQ(JavaHumanReadableSize(123456789012), "(114.98 GB) 123456789012");
}

TEST(ReadableSize, FloatRoundingJustBelowAUnit) {
  // (float) of a count one below the next unit rounds up to that unit, so
  // Java prints 1024 of the smaller unit.
  EXPECT_EQ(JavaHumanReadableSize(1048575), "(1024.00 KB) 1048575");
  EXPECT_EQ(JavaHumanReadableSize(1073741823), "(1024.00 MB) 1073741823");
  EXPECT_EQ(JavaHumanReadableSize(1099511627775), "(1024.00 GB) 1099511627775");
}

TEST(ReadableSize, TerabytesAreTheLargestUnit) {
  EXPECT_EQ(JavaHumanReadableSize(1099511627776), "(1.0000 TB) 1099511627776");
  EXPECT_EQ(JavaHumanReadableSize(999999999999999), "(909.4947 TB) 999999999999999");
  EXPECT_EQ(JavaHumanReadableSize(2251799813685248), "(2048.0000 TB) 2251799813685248");
  EXPECT_EQ(JavaHumanReadableSize(std::numeric_limits<int64_t>::max()),
            "(8388608.0000 TB) 9223372036854775807");
}

TEST(ReadableSize, NegativeCountsTakeTheKilobyteBranch) {
  EXPECT_EQ(JavaHumanReadableSize(-1), "(-0.00 KB) -1");
  EXPECT_EQ(JavaHumanReadableSize(-1024), "(-1.00 KB) -1024");
  EXPECT_EQ(JavaHumanReadableSize(-1048576), "(-1024.00 KB) -1048576");
}

TEST(ReadableSize, RoundsHalfUpFromTheShortestDecimal) {
  EXPECT_EQ(JavaFixed(2.125, 2), "2.13");  // exactly representable: half-up
  EXPECT_EQ(JavaFixed(0.995, 2), "1.00");  // shortest form "0.995" rounds up
  EXPECT_EQ(JavaFixed(9.9999, 2), "10.00");
  EXPECT_EQ(JavaFixed(3.0, 4), "3.0000");
}

}  // namespace
}  // namespace usaged::parse
