#include "core/window.h"

#include <gtest/gtest.h>

#include "core/error.h"
#include "core/settings.h"

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

ExecAnchor Exec(int hour, int minute, const char* zone = "GMT") {
  return ExecAnchor{hour * 60 + minute, TimeZone::Parse(zone)};
}

// Expected windows below are those of CloudStack's job running every range
// minutes from its exec time (UsageManagerImpl.java:319-320, 421-429).
TEST(WindowCalendarTest, AnchoredRangesStartAtTheExecTime) {
  WindowCalendar half(30, TimeZone::Utc(), Exec(0, 15));
  Window w = half.WindowContaining(T("2026-01-14 10:20:00"));
  EXPECT_EQ(w.start, T("2026-01-14 10:15:00"));
  EXPECT_EQ(w.next, T("2026-01-14 10:45:00"));
  EXPECT_EQ(half.BoundaryAfter(T("2026-01-14 10:45:00")), T("2026-01-14 11:15:00"));
  WindowCalendar two_hours(120, TimeZone::Utc(), Exec(0, 15));
  w = two_hours.WindowContaining(T("2026-01-15 09:00:00"));
  EXPECT_EQ(w.start, T("2026-01-15 08:15:00"));
  EXPECT_EQ(FormatUtcMillis(w.last_millisecond()), "2026-01-15 10:14:59.999");
  // Range 10 from 00:15: :05, :15, :25, ...
  WindowCalendar ten(10, TimeZone::Utc(), Exec(0, 15));
  EXPECT_EQ(ten.BoundaryAtOrBefore(T("2026-01-15 00:04:59")), T("2026-01-14 23:55:00"));
  EXPECT_TRUE(ten.IsBoundary(T("2026-01-15 00:05:00")));
  // The exec time is read in the execution zone, whatever the aggregation zone.
  WindowCalendar ist(120, TimeZone::Parse("America/New_York"), Exec(0, 15, "GMT+05:30"));
  EXPECT_EQ(ist.WindowContaining(T("2026-01-14 19:00:00")).start, T("2026-01-14 18:45:00"));
}

TEST(WindowCalendarTest, HourlyDailyAndOddRangesIgnoreTheAnchor) {
  WindowCalendar hourly(60, TimeZone::Utc(), Exec(0, 15));
  EXPECT_EQ(hourly.WindowContaining(T("2026-01-14 10:20:00")).start, T("2026-01-14 10:00:00"));
  WindowCalendar daily(1440, TimeZone::Parse("America/New_York"), Exec(0, 15));
  EXPECT_EQ(daily.WindowContaining(T("2026-01-14 03:00:00")).start, T("2026-01-13 05:00:00"));
  // CloudStack's grid for a range that does not divide a day depends on the
  // day its server started; these keep counting from the epoch.
  WindowCalendar seven(7, TimeZone::Utc(), Exec(0, 15));
  WindowCalendar plain(7, TimeZone::Utc());
  EXPECT_EQ(seven.BoundaryAtOrBefore(T("2026-01-13 10:07:30")),
            plain.BoundaryAtOrBefore(T("2026-01-13 10:07:30")));
}

TEST(WindowCalendarTest, SettingsGiveTheAnchoredCalendar) {
  UsageSettings s;
  s.aggregation_range_minutes = 30;
  s.exec_hour = 1;
  s.exec_minute = 10;
  WindowCalendar cal(s);
  EXPECT_EQ(cal.WindowContaining(T("2026-01-14 10:20:00")).start, T("2026-01-14 10:10:00"));
}

// Walks consecutive windows from `from` for `count` windows and checks that
// each is a window of the calendar: starts on a boundary and is the window
// holding its first and last millisecond.
std::vector<Window> Chain(const WindowCalendar& cal, Instant from, int count) {
  std::vector<Window> out;
  for (Window w = cal.WindowStartingAt(cal.BoundaryAtOrBefore(from));
       static_cast<int>(out.size()) < count; w = cal.WindowStartingAt(w.next)) {
    EXPECT_TRUE(cal.IsBoundary(w.start)) << FormatUtc(w.start);
    EXPECT_EQ(cal.WindowContaining(w.start), w) << FormatUtc(w.start);
    EXPECT_EQ(cal.WindowContaining(w.last_millisecond()), w) << FormatUtc(w.start);
    out.push_back(w);
  }
  return out;
}

TEST(WindowCalendarTest, AnchoredGridOfDivisorsOfAnHourKeepsItsPhaseThroughDst) {
  // 30 minutes from 00:15 Berlin time: CloudStack's fixed-rate runs stay on
  // :15 and :45 UTC across both changes, and so do the windows.
  WindowCalendar cal(30, TimeZone::Utc(), Exec(0, 15, "Europe/Berlin"));
  for (const char* from : {"2026-03-28 22:00:00", "2026-10-24 22:00:00"}) {
    for (const Window& w : Chain(cal, T(from), 12)) {
      EXPECT_EQ(w.length(), std::chrono::minutes(30)) << FormatUtc(w.start);
      EXPECT_EQ(ToEpochMillis(w.start) % (30 * 60000), 15 * 60000) << FormatUtc(w.start);
    }
  }
}

TEST(WindowCalendarTest, AnchoredGridOfLongerRangesFollowsTheLocalClock) {
  WindowCalendar cal(120, TimeZone::Utc(), Exec(0, 15, "Europe/Berlin"));
  // Spring: 00:15 CET (23:15 UTC), then 02:15 does not exist, then 04:15 CEST.
  std::vector<Window> spring = Chain(cal, T("2026-03-28 21:15:00"), 3);
  EXPECT_EQ(spring[0].start, T("2026-03-28 21:15:00"));
  EXPECT_EQ(spring[1].start, T("2026-03-28 23:15:00"));
  EXPECT_EQ(spring[1].length(), std::chrono::hours(3));
  EXPECT_EQ(spring[2].start, T("2026-03-29 02:15:00"));
  // Autumn: 02:15 happens twice (CEST, then CET): a one-hour window.
  std::vector<Window> autumn = Chain(cal, T("2026-10-24 22:15:00"), 3);
  EXPECT_EQ(autumn[1].start, T("2026-10-25 00:15:00"));
  EXPECT_EQ(autumn[1].length(), std::chrono::hours(1));
  EXPECT_EQ(autumn[2].start, T("2026-10-25 01:15:00"));
  EXPECT_EQ(autumn[2].length(), std::chrono::hours(2));
  // A year of windows chains without a gap, an overlap or an empty window.
  std::vector<Window> year = Chain(cal, T("2026-01-01 00:00:00"), 12 * 365);
  for (size_t i = 1; i < year.size(); ++i) ASSERT_EQ(year[i].start, year[i - 1].next);
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
