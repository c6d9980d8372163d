#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "core/window.h"

namespace usaged {

// How time-based usage is measured.
//  kExact: an interval [created, deleted) counts exactly its milliseconds inside
//    [window.start, window.next); raw_usage = ms / 3,600,000 as the nearest double.
//  kCloudStackFloat: what CloudStack's Java parsers do, bit for bit: the window
//    ends at next - 1 ms, an interval counts (end - start + 1) ms, and hours are
//    computed as Java `float` (ms / 1000f / 60f / 60f) and then widened. A VM
//    that ran 12:00-12:30 gets 0.50000030 h instead of 0.5; a resource deleted
//    exactly at a window start gets a 1 ms record in the next window.
enum class HoursMode { kExact, kCloudStackFloat };

// Milliseconds of the helper interval [created, deleted) (deleted = nullopt
// while the resource lives) to charge in window w. Never negative; 0 means the
// interval does not touch the window.
int64_t ChargeableMillis(Instant created, std::optional<Instant> deleted, const Window& w,
                         HoursMode mode);

// raw_usage in hours for a total of `ms` chargeable milliseconds.
double HoursFromMillis(int64_t ms, HoursMode mode);

// A number as java.text.DecimalFormat("#.######") prints it: at most six
// decimals, rounded half-even on the exact binary value, no trailing zeros,
// "0" for zero. usage_display is this plus " Hrs" for time-based types.
std::string FormatDecimal6(double value);

}  // namespace usaged
