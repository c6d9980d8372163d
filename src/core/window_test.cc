#include "core/window.h"

#include <gtest/gtest.h>

#include "core/error.h"

namespace usaged {
namespace {

Instant T(const char* s) { return ParseUtc(s); }

TEST(WindowCalendarTest, DailyWindowsAreUtcMidnights) {
  WindowCalendar cal(1440, TimeZone::Utc());
  Window w = cal.WindowContaining(T("2026-01-13 00:00:37"));
  EXPECT_EQ(w.start, T("2026-01-13 00:00:00"));
  EXPECT_EQ(w.next, T("2026-01-14 00:00:00"));
  EXPECT_EQ(FormatUtc(w.display_end()), "2026-01-13 23:59:59");
  EXPECT_EQ(w.length(), std::chrono::hours(24));
  EXPECT_TRUE(cal.IsBoundary(T("2026-01-14 00:00:00")));
  EXPECT_FALSE(cal.IsBoundary(T("2026-01-14 00:00:01")));
}

TEST(WindowCalendarTest, HourlyAndFiveMinuteWindowsAlignToTheClock) {
  WindowCalendar hourly(60, TimeZone::Utc());
  EXPECT_EQ(hourly.WindowContaining(T("2026-01-13 10:59:59")).start, T("2026-01-13 10:00:00"));
  WindowCalendar five(5, TimeZone::Utc());
  Window w = five.WindowContaining(T("2026-01-13 10:07:30"));
  EXPECT_EQ(w.start, T("2026-01-13 10:05:00"));
  EXPECT_EQ(w.next, T("2026-01-13 10:10:00"));
}

TEST(WindowCalendarTest, RangesThatDoNotDivideADayCountFromTheEpoch) {
  WindowCalendar seven(7, TimeZone::Utc());
  Instant b = seven.BoundaryAtOrBefore(T("2026-01-13 10:07:30"));
  EXPECT_EQ(ToEpochMillis(b) % (7 * 60000), 0);
  EXPECT_LE(b, T("2026-01-13 10:07:30"));
  EXPECT_GT(b + std::chrono::minutes(7), T("2026-01-13 10:07:30"));
  WindowCalendar two_days(2880, TimeZone::Utc());
  Window w = two_days.WindowContaining(T("2026-01-13 10:00:00"));
  EXPECT_EQ(w.length(), std::chrono::hours(48));
  EXPECT_EQ(ToEpochMillis(w.start) % (2 * 86400000LL), 0);
}

TEST(WindowCalendarTest, DailyWindowsFollowTheAggregationZone) {
  WindowCalendar cal(1440, TimeZone::Parse("America/New_York"));
  Window w = cal.WindowContaining(T("2026-01-14 03:00:00"));  // 22:00 on the 13th in New York
  EXPECT_EQ(w.start, T("2026-01-13 05:00:00"));
  EXPECT_EQ(w.next, T("2026-01-14 05:00:00"));
  WindowCalendar ist(1440, TimeZone::Parse("GMT+05:30"));
  EXPECT_EQ(ist.WindowContaining(T("2026-01-13 20:00:00")).start, T("2026-01-13 18:30:00"));
}

TEST(WindowCalendarTest, DstChangesGiveShorterAndLongerDays) {
  WindowCalendar cal(1440, TimeZone::Parse("Europe/Berlin"));
  // 2026-03-29: clocks go from 02:00 to 03:00 (23-hour day).
  Window spring = cal.WindowContaining(T("2026-03-29 12:00:00"));
  EXPECT_EQ(spring.start, T("2026-03-28 23:00:00"));
  EXPECT_EQ(spring.length(), std::chrono::hours(23));
  // 2026-10-25: clocks go from 03:00 back to 02:00 (25-hour day).
  Window autumn = cal.WindowContaining(T("2026-10-25 12:00:00"));
  EXPECT_EQ(autumn.length(), std::chrono::hours(25));
  EXPECT_EQ(cal.WindowStartingAt(spring.next).start, spring.next);
}

TEST(WindowCalendarTest, HourlyWindowsNeverCollapseAtDstGaps) {
  WindowCalendar cal(60, TimeZone::Parse("Europe/Berlin"));
  Instant t = T("2026-03-28 22:00:00");
  for (int i = 0; i < 30; ++i) {
    Window w = cal.WindowStartingAt(t);
    ASSERT_GT(w.next, w.start);
    EXPECT_LE(w.length(), std::chrono::hours(1));
    t = w.next;
  }
  // The repeated autumn hour belongs to one two-hour window.
  Window repeated = cal.WindowContaining(T("2026-10-25 00:30:00"));
  EXPECT_EQ(repeated.length(), std::chrono::hours(2));
}

TEST(WindowCalendarTest, UnalignedStartGivesABridgeWindow) {
  WindowCalendar cal(1440, TimeZone::Utc());
  Window w = cal.WindowStartingAt(T("2026-01-13 00:15:00"));
  EXPECT_EQ(w.start, T("2026-01-13 00:15:00"));
  EXPECT_EQ(w.next, T("2026-01-14 00:00:00"));
}

TEST(TimeZoneTest, AcceptsJavaStyleIdsAndRejectsUnknownOnes) {
  EXPECT_EQ(TimeZone::Parse("GMT").ToUtc(LocalMillis(Millis(0))), FromEpochMillis(0));
  EXPECT_EQ(TimeZone::Parse("GMT-8").ToUtc(LocalMillis(Millis(0))),
            FromEpochMillis(8 * 3600000LL));
  EXPECT_EQ(TimeZone::Parse("EST").ToUtc(LocalMillis(Millis(0))),
            FromEpochMillis(5 * 3600000LL));
  EXPECT_NO_THROW(TimeZone::Parse("PST"));
  EXPECT_NO_THROW(TimeZone::Parse("Asia/Kolkata"));
  EXPECT_THROW(TimeZone::Parse("Mars/Olympus"), ConfigError);
  EXPECT_THROW(TimeZone::Parse("GMT+25"), ConfigError);
}

}  // namespace
}  // namespace usaged
