#include "core/time.h"

#include <gtest/gtest.h>

#include "core/error.h"

namespace usaged {
namespace {

TEST(TimeTest, ParsesAndFormatsUtc) {
  Instant t = ParseUtc("2026-01-13 00:00:37");
  EXPECT_EQ(ToEpochMillis(t), 1768262437000);
  EXPECT_EQ(FormatUtc(t), "2026-01-13 00:00:37");
  EXPECT_EQ(FormatUtc(ParseUtc("2026-01-13T00:00:37")), "2026-01-13 00:00:37");
  EXPECT_EQ(FormatUtc(ParseUtc("2026-01-13")), "2026-01-13 00:00:00");
}

TEST(TimeTest, FormatTruncatesMilliseconds) {
  Instant t = ParseUtc("2026-01-14 00:00:00") - Millis(1);
  EXPECT_EQ(FormatUtc(t), "2026-01-13 23:59:59");
  EXPECT_EQ(FormatUtcMillis(t), "2026-01-13 23:59:59.999");
}

TEST(TimeTest, RejectsMalformedTimes) {
  for (const char* bad : {"", "2026-01-13 24:00:00", "2026-02-30 00:00:00", "2026-1-13",
                          "yesterday", "2026-01-13 00:00", "2026-01-13 00:00:00Z",
                          "1969-12-31 23:59:59", "2026-01-13 00:60:00"}) {
    EXPECT_FALSE(TryParseUtc(bad).has_value()) << bad;
  }
  try {
    ParseUtc("2026-13-01 00:00:00", "--now");
    FAIL() << "expected InputError";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("--now"), std::string::npos);
    EXPECT_NE(std::string(e.what()).find("YYYY-MM-DD HH:MM:SS"), std::string::npos);
  }
}

}  // namespace
}  // namespace usaged
