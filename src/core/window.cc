#include "core/window.h"

#include <date/date.h>

#include <stdexcept>

namespace usaged {
namespace {

constexpr int kMinutesPerDay = 1440;

int64_t FloorDiv(int64_t a, int64_t b) {
  int64_t q = a / b;
  if ((a % b != 0) && ((a < 0) != (b < 0))) --q;
  return q;
}

}  // namespace

WindowCalendar::WindowCalendar(int range_minutes, TimeZone zone)
    : range_minutes_(range_minutes), zone_(std::move(zone)) {
  if (range_minutes < 1) throw std::invalid_argument("aggregation range must be >= 1 minute");
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

Window WindowCalendar::WindowContaining(Instant t) const {
  return {BoundaryAtOrBefore(t), BoundaryAfter(t)};
}

}  // namespace usaged
