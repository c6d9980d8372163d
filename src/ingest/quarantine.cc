#include "ingest/quarantine.h"

#include <fmt/format.h>

namespace usaged::ingest {

void QuarantineEvent(store::Connection& conn, const UsageEvent& event, std::string_view reason,
                     Instant now, std::string_view alert_type) {
  conn.Run(
      "INSERT INTO ${usage}.usaged_quarantine (source, source_id, event_type, account_id, "
      "event_time, reason, quarantined_at) VALUES ('usage_event', ?, ?, ?, ?, ?, ?)",
      event.id, event.type, event.account_id, event.created, std::string(reason.substr(0, 1024)),
      now);
  const bool late = alert_type == alert::alert_type::kLateEventRefused;
  alert::RaiseAlert(
      conn, now, alert_type,
      late ? "usaged: a late event was refused" : "usaged: an event was quarantined",
      fmt::format("Event {} was not applied: {}.\nIt is kept in usaged_quarantine (`usaged "
                  "quarantine` lists it); no record was billed from it.",
                  event.Describe(), reason));
}

bool QuarantineStatisticsRow(store::Connection& conn, std::string_view source, int64_t id,
                             std::optional<int64_t> account_id, std::string_view reason,
                             Instant stamp, Instant now) {
  std::string text(reason.substr(0, 1024));
  if (conn.QueryInt("SELECT count(*) FROM ${usage}.usaged_quarantine WHERE source = ? AND "
                    "source_id = ? AND reason = ?",
                    source, id, text)
          .value_or(0) > 0) {
    return false;
  }
  conn.Run(
      "INSERT INTO ${usage}.usaged_quarantine (source, source_id, event_type, account_id, "
      "event_time, reason, quarantined_at) VALUES (?, ?, 'statistics', ?, ?, ?, ?)",
      source, id, account_id, stamp, text, now);
  alert::RaiseAlert(conn, now, alert::alert_type::kEventQuarantined,
                    "usaged: a statistics row was quarantined",
                    fmt::format("Row {} of {} (account {}, sampled {} UTC) was not used: {}.\nIt "
                                "is kept in usaged_quarantine (`usaged quarantine` lists it).",
                                id, source, account_id ? std::to_string(*account_id) : "-",
                                FormatUtc(stamp), text));
  return true;
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
