#pragma once

#include <cstdint>

#include "core/hours.h"
#include "core/usage_record.h"
#include "core/window.h"

namespace usaged::parse {

// A record for a time-based usage type with its common columns filled in:
// account, domain, zone, type, window dates, raw_usage and "<h> Hrs".
// Callers set the type-specific columns and then call Finish().
UsageRecord NewTimeRecord(int usage_type, int64_t account_id, int64_t domain_id, int64_t zone_id,
                          int64_t millis, const Window& window, HoursMode mode);

// Computes the natural key; call after every column is set.
void Finish(UsageRecord& record);

}  // namespace usaged::parse
