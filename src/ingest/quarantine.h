#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "alert/alert.h"
#include "core/time.h"
#include "ingest/usage_event.h"
#include "store/connection.h"

namespace usaged::ingest {

// A row of usaged_quarantine: input usaged refused to apply, kept with the
// reason so nothing is dropped silently.
struct QuarantineEntry {
  int64_t id = 0;
  std::string source;  // "usage_event", later statistics tables
  int64_t source_id = 0;
  std::string event_type;
  std::optional<int64_t> account_id;
  std::optional<Instant> event_time;
  std::string reason;
  Instant quarantined_at{};
};

// Records that `event` was refused, and raises an alert of `alert_type`
// about it, inside the caller's transaction.
void QuarantineEvent(store::Connection& conn, const UsageEvent& event, std::string_view reason,
                     Instant now,
                     std::string_view alert_type = alert::alert_type::kEventQuarantined);

// Records that row `id` of statistics table `source` (e.g. "user_statistics")
// was refused, inside the caller's transaction. A row that stays bad is seen
// by every snapshot; it is recorded once per distinct reason. `stamp` is the
// end of the window whose snapshot refused it. Returns true if recorded now
// (and then raises a USAGE_EVENT_QUARANTINED alert in the same transaction).
bool QuarantineStatisticsRow(store::Connection& conn, std::string_view source, int64_t id,
                             std::optional<int64_t> account_id, std::string_view reason,
                             Instant stamp, Instant now);

// Most recent first.
std::vector<QuarantineEntry> ListQuarantine(store::Connection& conn, int limit = 1000);

}  // namespace usaged::ingest
