#pragma once

#include <cstdint>
#include <string>

#include "core/usage_record.h"
#include "core/window.h"

namespace usaged::parse {

// A record for a type whose raw_usage is an amount (bytes, I/O requests)
// rather than hours: account, domain, zone, type, window dates, raw_usage =
// `amount` and usage_display "<amount> <unit>" (e.g. "1234 bytes sent").
// Callers set the type-specific columns and then call Finish().
UsageRecord NewAmountRecord(int usage_type, int64_t account_id, int64_t domain_id,
                            int64_t zone_id, int64_t amount, const std::string& unit,
                            const Window& window);

// The half-open millisecond range [start, next) of a window, as stored in the
// event_time_millis columns of the statistics helper tables.
struct MillisRange {
  int64_t start;
  int64_t next;
};
inline MillisRange WindowMillis(const Window& w) {
  return {ToEpochMillis(w.start), ToEpochMillis(w.next)};
}

}  // namespace usaged::parse
