#include "job/window_ledger.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "alert/alert.h"

namespace usaged::job {

std::optional<Instant> WindowLedger::Checkpoint() {
  auto first_open = conn_.QueryInt(
      "SELECT min(w.start_millis) FROM ${usage}.usaged_window w "
      "JOIN ${usage}.usaged_unit u ON u.window_id = w.id WHERE u.state <> 'done'");
  if (first_open) return FromEpochMillis(*first_open);
  return PlannedUntil();
}

std::optional<Instant> WindowLedger::PlannedUntil() {
  auto last = conn_.QueryInt("SELECT max(next_millis) FROM ${usage}.usaged_window");
  if (!last) return std::nullopt;
  return FromEpochMillis(*last);
}

std::vector<Window> WindowLedger::PlanWindows(const WindowCalendar& calendar, Instant from,
                                              Instant due_before, int shards, Instant now) {
  std::vector<Window> added;
  for (Window w = calendar.WindowStartingAt(from); w.next <= due_before;
       w = calendar.WindowStartingAt(w.next)) {
    added.push_back(w);
  }
  if (added.empty()) return added;
  store::Transaction tx(conn_);
  for (const Window& w : added) {
    conn_.Run(
        "INSERT INTO ${usage}.usaged_window (start_millis, next_millis, start_date, end_date, "
        "shard_count, created_at) VALUES (?, ?, ?, ?, ?, ?)",
        ToEpochMillis(w.start), ToEpochMillis(w.next), w.start, w.display_end(), shards, now);
    int64_t id = conn_.LastInsertId();
    for (int s = 0; s < shards; ++s) {
      conn_.Run("INSERT INTO ${usage}.usaged_unit (window_id, shard, state) VALUES (?, ?, 'pending')",
                id, s);
    }
  }
  tx.Commit();
  return added;
}

std::vector<Unit> WindowLedger::PendingUnits() {
  auto& q = conn_.Prepare(
      "SELECT u.window_id, w.start_millis, w.next_millis, u.shard, w.shard_count, u.attempts "
      "FROM ${usage}.usaged_unit u JOIN ${usage}.usaged_window w ON w.id = u.window_id "
      "WHERE u.state <> 'done' ORDER BY w.start_millis, u.shard");
  std::vector<Unit> out;
  while (q.Next()) {
    out.push_back({q.Int(0), Window{FromEpochMillis(q.Int(1)), FromEpochMillis(q.Int(2))},
                   static_cast<int>(q.Int(3)), static_cast<int>(q.Int(4)),
                   static_cast<int>(q.Int(5))});
  }
  return out;
}

bool WindowLedger::MarkDone(const Unit& unit, int64_t records, int64_t job_id, Instant now) {
  return conn_.Run(
             "UPDATE ${usage}.usaged_unit SET state = 'done', records = ?, job_id = ?, "
             "updated_at = ?, attempts = attempts + 1 "
             "WHERE window_id = ? AND shard = ? AND state <> 'done'",
             records, job_id, now, unit.window_id, unit.shard) == 1;
}

void WindowLedger::RecordFailure(const Unit& unit, const std::string& error, Instant now,
                                 int alert_at_failures) {
  store::Transaction tx(conn_);
  conn_.Run(
      "UPDATE ${usage}.usaged_unit SET attempts = attempts + 1, last_error = ?, updated_at = ? "
      "WHERE window_id = ? AND shard = ?",
      error.substr(0, 1024), now, unit.window_id, unit.shard);
  // A pending unit's attempts all failed (the successful one marks it done).
  auto failures = conn_.QueryInt(
      "SELECT attempts FROM ${usage}.usaged_unit WHERE window_id = ? AND shard = ?",
      unit.window_id, unit.shard);
  if (alert_at_failures > 0 && failures == alert_at_failures) {
    alert::RaiseAlert(
        conn_, now, alert::alert_type::kUnitFailing, "usaged: a unit keeps failing",
        fmt::format("The unit of window {} to {} UTC, account shard {} of {}, has failed {} "
                    "times (usage.alert.unit.failures). Every run retries it; the checkpoint "
                    "stays at its window until it succeeds.\nLast error: {}",
                    FormatUtc(unit.window.start), FormatUtc(unit.window.display_end()),
                    unit.shard, unit.shard_count, *failures, error));
  }
  tx.Commit();
}

std::optional<Instant> FindOrigin(store::Connection& conn, const WindowCalendar& calendar) {
  std::optional<Instant> origin;
  // A job row whose start is after its end billed nothing (the Java server
  // writes such rows when it finds nothing to do).
  auto legacy_end = conn.QueryInt(
      "SELECT max(end_millis) FROM ${usage}.usage_job WHERE success = 1 AND end_millis > 0 "
      "AND start_millis <= end_millis");
  if (legacy_end) origin = FromEpochMillis(*legacy_end + 1);
  // Records are the billing itself: a job that committed records but never
  // recorded its success still billed them.
  auto& last = conn.Prepare("SELECT max(end_date) FROM ${usage}.cloud_usage").Bind();
  std::optional<Instant> records_end;
  if (last.Next()) records_end = last.OptTime(0);
  last.Reset();
  if (records_end && (!origin || *records_end + std::chrono::seconds(1) > *origin)) {
    origin = *records_end + std::chrono::seconds(1);
  }
  if (origin) {
    spdlog::info("continuing at {}, where the billing already in the database ends",
                 FormatUtc(*origin));
    return origin;
  }
  auto& oldest = conn.Prepare("SELECT min(created) FROM ${usage}.usage_event").Bind();
  std::optional<Instant> created;
  if (oldest.Next()) created = oldest.OptTime(0);
  oldest.Reset();
  if (!created) return std::nullopt;
  return calendar.BoundaryAtOrBefore(*created);
}

}  // namespace usaged::job
