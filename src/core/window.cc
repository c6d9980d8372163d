#include "core/window.h"

#include <date/date.h>

#include <stdexcept>

#include "core/settings.h"

namespace usaged {
namespace {

constexpr int kMinutesPerDay = 1440;

int64_t FloorDiv(int64_t a, int64_t b) {
  int64_t q = a / b;
  if ((a % b != 0) && ((a < 0) != (b < 0))) --q;
  return q;
}

int64_t FloorMod(int64_t a, int64_t b) { return a - FloorDiv(a, b) * b; }

Instant FloorToMinute(Instant t) { return std::chrono::floor<std::chrono::minutes>(t); }

Millis UtcOffset(const TimeZone& zone, Instant t) {
  return zone.ToLocal(t).time_since_epoch() - t.time_since_epoch();
}

// The first instant in (from, to] with the UTC offset of `to`, where the
// offset at `from` differs (a DST change lies in between).
Instant OffsetChange(const TimeZone& zone, Instant from, Instant to) {
  const Millis target = UtcOffset(zone, to);
  while (to - from > Millis(1)) {
    Instant mid = from + (to - from) / 2;
    if (UtcOffset(zone, mid) == target) {
      to = mid;
    } else {
      from = mid;
    }
  }
  return to;
}

}  // namespace

WindowCalendar::WindowCalendar(int range_minutes, TimeZone zone)
    : range_minutes_(range_minutes), zone_(std::move(zone)) {
  if (range_minutes < 1) throw std::invalid_argument("aggregation range must be >= 1 minute");
}

WindowCalendar::WindowCalendar(int range_minutes, TimeZone zone, ExecAnchor anchor)
    : WindowCalendar(range_minutes, std::move(zone)) {
  anchor_ = std::move(anchor);
}

WindowCalendar::WindowCalendar(const UsageSettings& s)
    : WindowCalendar(s.aggregation_range_minutes, s.aggregation_zone,
                     ExecAnchor{s.exec_hour * 60 + s.exec_minute, s.execution_zone}) {}

// CloudStack computes hourly and daily windows from the clock of the
// aggregation zone; any other range is the range minutes before a run, and
// its runs are every range minutes from the exec time. Only for ranges that
// divide a day does that give the same grid whatever day the server started.
bool WindowCalendar::Anchored() const {
  return anchor_ && range_minutes_ != 60 && range_minutes_ != kMinutesPerDay &&
         kMinutesPerDay % range_minutes_ == 0;
}

LocalMillis WindowCalendar::FloorLocal(LocalMillis local) const {
  using std::chrono::minutes;
  auto day = std::chrono::floor<date::days>(local);
  if (kMinutesPerDay % range_minutes_ == 0) {
    auto into_day = std::chrono::floor<minutes>(local - day).count();
    return day + minutes(into_day / range_minutes_ * range_minutes_);
  }
  if (range_minutes_ % kMinutesPerDay == 0) {
    int64_t per = range_minutes_ / kMinutesPerDay;
    int64_t n = day.time_since_epoch().count();
    return LocalMillis(date::days(FloorDiv(n, per) * per));
  }
  int64_t total = std::chrono::floor<minutes>(local).time_since_epoch().count();
  return LocalMillis(minutes(FloorDiv(total, range_minutes_) * range_minutes_));
}

LocalMillis WindowCalendar::StepLocal(LocalMillis boundary, int steps) const {
  return boundary + std::chrono::minutes(static_cast<int64_t>(range_minutes_) * steps);
}

Instant WindowCalendar::BoundaryAtOrBefore(Instant t) const {
  if (Anchored()) return AnchoredAtOrBefore(t);
  LocalMillis local = FloorLocal(zone_.ToLocal(t));
  Instant b = zone_.ToUtc(local);
  // Around a DST change the local floor can map past t; step back until not.
  while (b > t) {
    local = StepLocal(local, -1);
    b = zone_.ToUtc(local);
  }
  return b;
}

Instant WindowCalendar::BoundaryAfter(Instant t) const {
  if (Anchored()) return AnchoredAfter(t);
  LocalMillis local = FloorLocal(zone_.ToLocal(t));
  Instant b = zone_.ToUtc(local);
  // Skip boundaries at or before t, including ones a DST gap collapsed onto
  // the same instant (which would give an empty window).
  while (b <= t) {
    local = StepLocal(local, 1);
    b = zone_.ToUtc(local);
  }
  return b;
}

// Minutes from the last time of the anchor's grid to the local time of
// `minute` (a whole minute) in the execution zone; 0 on the grid.
int64_t WindowCalendar::MinutesPastGrid(Instant minute) const {
  using std::chrono::minutes;
  LocalMillis local = anchor_->zone.ToLocal(minute);
  int64_t into_day = std::chrono::floor<minutes>(local - std::chrono::floor<date::days>(local))
                         .count();
  return FloorMod(into_day - anchor_->minute_of_day, range_minutes_);
}

// Steps back to the grid time before t. When the zone's offset changes on the
// way, the grid of the offset after the change has no time between the change
// and t, so the boundary is the last one before the change.
Instant WindowCalendar::AnchoredAtOrBefore(Instant t) const {
  const TimeZone& zone = anchor_->zone;
  Instant c = FloorToMinute(t);
  for (;;) {
    int64_t past = MinutesPastGrid(c);
    if (past == 0) return c;
    Instant back = c - std::chrono::minutes(past);
    if (UtcOffset(zone, back) == UtcOffset(zone, c)) {
      c = back;
    } else {
      c = FloorToMinute(OffsetChange(zone, back, c) - Millis(1));
    }
  }
}

// Steps forward to the next grid time after t. When the zone's offset changes
// on the way, the grid of the offset before it has no time left before the
// change, so the search goes on from the change.
Instant WindowCalendar::AnchoredAfter(Instant t) const {
  const TimeZone& zone = anchor_->zone;
  Instant c = FloorToMinute(t) + std::chrono::minutes(1);
  for (;;) {
    int64_t past = MinutesPastGrid(c);
    if (past == 0) return c;
    Instant ahead = c + std::chrono::minutes(range_minutes_ - past);
    if (UtcOffset(zone, ahead) == UtcOffset(zone, c)) {
      c = ahead;
    } else {
      c = FloorToMinute(OffsetChange(zone, c, ahead) - Millis(1)) + std::chrono::minutes(1);
    }
  }
}

Window WindowCalendar::WindowContaining(Instant t) const {
  return {BoundaryAtOrBefore(t), BoundaryAfter(t)};
}

}  // namespace usaged
