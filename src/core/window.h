#pragma once

#include <optional>

#include "core/time.h"
#include "core/timezone.h"

namespace usaged {

struct UsageSettings;

// An aggregation window [start, next). CloudStack writes its end as
// `next - 1 ms`, which a DATETIME column keeps as "... 23:59:59".
struct Window {
  Instant start;
  Instant next;

  Instant last_millisecond() const { return next - Millis(1); }
  // What cloud_usage.end_date and usage_job.end_date hold for this window.
  Instant display_end() const { return FloorToSecond(last_millisecond()); }
  Millis length() const { return next - start; }
  bool operator==(const Window&) const = default;
};

// Where CloudStack's usage job starts windows of ranges other than hourly and
// daily: its job runs at usage.stats.job.exec.time and then every range
// minutes, and each run bills the range minutes before it.
struct ExecAnchor {
  int minute_of_day = 15;  // hour * 60 + minute of usage.stats.job.exec.time
  TimeZone zone = TimeZone::Utc();  // usage.execution.timezone
};

// Boundaries of aggregation windows.
//  - Hourly (60) and daily (1440) windows start on the hour and at midnight
//    of the aggregation time zone.
//  - Other ranges that divide a day: with an exec anchor, every range minutes
//    from the exec time of day in the execution time zone (range 30 with exec
//    00:15 gives hh:15 and hh:45); without one, from local midnight of the
//    aggregation zone (5-minute windows at :00, :05, ...).
//  - Ranges of whole days count days from 1970-01-01 local; any other range
//    counts minutes from 1970-01-01 00:00 local (aggregation zone).
// A local boundary that falls in a DST gap moves to the jump and one repeated
// by a fall-back uses its first instant; an anchored boundary is an instant
// whose local time is on the anchor's grid, so a time that does not exist is
// no boundary and a repeated one is a boundary twice.
class WindowCalendar {
 public:
  // range_minutes must be >= 1.
  WindowCalendar(int range_minutes, TimeZone zone);
  WindowCalendar(int range_minutes, TimeZone zone, ExecAnchor anchor);
  // The calendar the usage job bills with: the aggregation range and zone,
  // anchored at the job's exec time.
  explicit WindowCalendar(const UsageSettings& settings);

  int range_minutes() const { return range_minutes_; }
  const TimeZone& zone() const { return zone_; }

  // The last boundary <= t.
  Instant BoundaryAtOrBefore(Instant t) const;
  // The first boundary > t.
  Instant BoundaryAfter(Instant t) const;
  bool IsBoundary(Instant t) const { return BoundaryAtOrBefore(t) == t; }
  // The window holding t.
  Window WindowContaining(Instant t) const;
  // The window that starts at `start`, which need not be a boundary: a start
  // left by another range (after the operator changed it) gives a shorter
  // "bridge" window up to the next boundary, so no time is lost or repeated.
  Window WindowStartingAt(Instant start) const { return {start, BoundaryAfter(start)}; }

 private:
  bool Anchored() const;
  LocalMillis FloorLocal(LocalMillis local) const;
  LocalMillis StepLocal(LocalMillis boundary, int steps) const;
  int64_t MinutesPastGrid(Instant minute) const;
  Instant AnchoredAtOrBefore(Instant t) const;
  Instant AnchoredAfter(Instant t) const;

  int range_minutes_;
  TimeZone zone_;
  std::optional<ExecAnchor> anchor_;
};

}  // namespace usaged
