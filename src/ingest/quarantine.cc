#include "ingest/quarantine.h"

namespace usaged::ingest {

void QuarantineEvent(store::Connection& conn, const UsageEvent& event, std::string_view reason,
                     Instant now) {
  conn.Run(
      "INSERT INTO ${usage}.usaged_quarantine (source, source_id, event_type, account_id, "
      "event_time, reason, quarantined_at) VALUES ('usage_event', ?, ?, ?, ?, ?, ?)",
      event.id, event.type, event.account_id, event.created, std::string(reason.substr(0, 1024)),
      now);
}

std::vector<QuarantineEntry> ListQuarantine(store::Connection& conn, int limit) {
  auto& q = conn.Prepare(
                    "SELECT id, source, source_id, event_type, account_id, event_time, reason, "
                    "quarantined_at FROM ${usage}.usaged_quarantine ORDER BY id DESC LIMIT ?")
                .Bind(limit);
  std::vector<QuarantineEntry> out;
  while (q.Next()) {
    out.push_back({q.Int(0), q.Text(1), q.Int(2), q.Text(3), q.OptInt(4), q.OptTime(5), q.Text(6),
                   q.Time(7)});
  }
  return out;
}

}  // namespace usaged::ingest
