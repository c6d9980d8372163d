#include "parse/sampled_usage.h"

#include <fmt/format.h>

namespace usaged::parse {

UsageRecord NewAmountRecord(int usage_type, int64_t account_id, int64_t domain_id,
                            int64_t zone_id, int64_t amount, const std::string& unit,
                            const Window& window) {
  UsageRecord r;
  r.usage_type = usage_type;
  r.account_id = account_id;
  r.domain_id = domain_id;
  r.zone_id = zone_id;
  r.raw_usage = static_cast<double>(amount);
  r.usage_display = std::to_string(amount) + " " + unit;
  r.start_date = window.start;
  r.end_date = window.display_end();
  return r;
}

store::Statement& QueryWindowSamples(store::Connection& conn, const ParseScope& scope,
                                     std::string_view table, std::string_view columns) {
  // Half-open [start, next) in milliseconds: the rows stamped at the window's
  // last millisecond, read through the event_time_millis index.
  return conn
      .Prepare(fmt::format("SELECT {} FROM ${{usage}}.{} WHERE event_time_millis >= ? AND "
                           "event_time_millis < ? AND (account_id % ?) = ?",
                           columns, table))
      .Bind(ToEpochMillis(scope.window.start), ToEpochMillis(scope.window.next),
            scope.shard_count, scope.shard);
}

}  // namespace usaged::parse
