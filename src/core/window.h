#pragma once

#include "core/time.h"
#include "core/timezone.h"

namespace usaged {

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

// Boundaries of aggregation windows: multiples of the aggregation range in the
// aggregation time zone. Ranges that divide a day start at local midnight
// (hourly windows start on the hour, 5-minute windows at :00, :05, ...);
// ranges of whole days count days from 1970-01-01 local; any other range counts
// minutes from 1970-01-01 00:00 local. A boundary that falls in a DST gap moves
// to the jump; a boundary repeated by a DST fall-back uses its first instant.
class WindowCalendar {
 public:
  // range_minutes must be >= 1.
  WindowCalendar(int range_minutes, TimeZone zone);

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
  LocalMillis FloorLocal(LocalMillis local) const;
  LocalMillis StepLocal(LocalMillis boundary, int steps) const;

  int range_minutes_;
  TimeZone zone_;
};

}  // namespace usaged
