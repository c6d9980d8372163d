#include "maintain/retention.h"

#include <date/date.h>
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "core/error.h"
#include "ingest/event_copy.h"
#include "ingest/helper_tables.h"
#include "job/job_log.h"
#include "job/regeneration.h"
#include "job/usage_run.h"
#include "job/window_ledger.h"
#include "store/retry.h"

namespace usaged::maintain {
namespace {

// A table and the condition that selects its rows to delete (bound to one
// instant).
struct Target {
  std::string table;
  std::string where;
  Instant before;
  int64_t count = 0;
  // Rows of another table that belong to the deleted ones: (table, column
  // holding the parent id), deleted in the same transaction.
  std::optional<std::pair<std::string, std::string>> children;
};

int64_t CountRows(store::Connection& conn, const Target& t) {
  return conn.QueryInt(fmt::format("SELECT count(*) FROM ${{usage}}.{} WHERE {}", t.table,
                                   t.where), t.before).value_or(0);
}

// Deletes the target's rows a batch at a time; returns the rows deleted.
int64_t DeleteInBatches(store::Connection& conn, const Target& t, int64_t job_id,
                        const CleanupOptions& options) {
  const std::string select = fmt::format("SELECT id FROM ${{usage}}.{} WHERE {} ORDER BY id LIMIT {}",
                                         t.table, t.where, options.batch_size);
  int64_t deleted = 0;
  while (!(options.stop && options.stop->load())) {
    int64_t n = store::RetryTransient("deleting a batch of " + t.table, [&] {
      store::Transaction tx(conn);
      std::string ids;
      auto& q = conn.Prepare(select).Bind(t.before);
      while (q.Next()) ids += (ids.empty() ? "" : ",") + std::to_string(q.Int(0));
      q.Reset();
      if (ids.empty()) return int64_t{0};
      if (t.children) {
        conn.Run(fmt::format("DELETE FROM ${{usage}}.{} WHERE {} IN ({})", t.children->first,
                             t.children->second, ids));
      }
      int64_t rows = conn.Run(fmt::format("DELETE FROM ${{usage}}.{} WHERE id IN ({})", t.table,
                                          ids));
      job::JobLog(conn).AddUnitDone(job_id, rows);
      tx.Commit();
      return rows;
    });
    if (n == 0) break;
    deleted += n;
  }
  return deleted;
}

// Jobs that must not run while records are deleted, other than the caller's.
std::optional<std::string> RunningJob(store::Connection& conn) {
  auto& q = conn.Prepare(
      "SELECT id, kind FROM ${usage}.usaged_job WHERE state = 'RUNNING' ORDER BY id LIMIT 1");
  std::optional<std::string> out;
  if (q.Next()) out = fmt::format("job {} ({}) is running", q.Int(0), q.Text(1));
  q.Reset();
  return out;
}

std::vector<Target> Targets(store::Connection& conn, Instant cutoff, Instant horizon) {
  std::vector<Target> targets;
  targets.push_back({"cloud_usage", "end_date < ?", cutoff, 0, std::nullopt});
  for (const ingest::TableDef* def : ingest::AllIntervalTables()) {
    targets.push_back({def->table,
                       fmt::format("{0} IS NOT NULL AND {0} < ?", def->end_column), horizon, 0,
                       std::nullopt});
  }
  // Applied events, except the newest ids the event copy re-examines (it
  // continues from the highest id it holds, so that one must stay).
  const int64_t recheck_from =
      conn.QueryInt("SELECT max(id) FROM ${usage}.usage_event").value_or(0) - ingest::kEventRecheckIds;
  targets.push_back({"usage_event",
                     fmt::format("processed = 1 AND created < ? AND id <= {}", recheck_from),
                     horizon, 0, std::make_pair("usage_event_details", "usage_event_id")});
  for (auto& t : targets) t.count = CountRows(conn, t);
  return targets;
}

}  // namespace

int64_t CleanupSummary::total() const {
  int64_t n = 0;
  for (const auto& [table, rows] : rows) n += rows;
  return n;
}

Instant RetentionCutoff(Instant now, int years) {
  auto day = std::chrono::floor<date::days>(now);
  date::year_month_day ymd{day};
  ymd = ymd - date::years(years);
  if (!ymd.ok()) ymd = ymd.year() / ymd.month() / date::last;
  return Instant(date::sys_days(ymd)) + (now - day);
}

bool CleanupDue(store::Connection& conn, Instant now) {
  return conn.QueryInt("SELECT count(*) FROM ${usage}.usaged_job WHERE kind = 'CLEANUP' AND "
                       "created_at > ?", now - std::chrono::hours(24)) == 0;
}

CleanupSummary RunCleanup(store::Connection& conn, const Clock& clock,
                          const CleanupOptions& options) {
  const Instant now = clock.Now();
  const UsageSettings settings = job::LoadSettings(conn);
  CleanupSummary summary;
  summary.retention_years = settings.retention_years;
  job::InterruptAbandonedRegenerations(conn, now);
  if (auto running = RunningJob(conn)) {
    summary.skipped = *running + "; cleanup runs only while no usage job runs";
    return summary;
  }
  std::vector<Target> targets;
  if (settings.retention_years > 0) {
    summary.cutoff = RetentionCutoff(now, settings.retention_years);
    // Helper rows may still be read to bill or restate a window; keep every
    // row that ends after the checkpoint or the restatement horizon.
    Instant horizon = std::min(*summary.cutoff,
                               now - std::chrono::hours(24 * settings.restatement_max_days));
    if (auto checkpoint = job::WindowLedger(conn).Checkpoint()) {
      horizon = std::min(horizon, *checkpoint);
    }
    summary.helper_horizon = horizon;
    targets = Targets(conn, *summary.cutoff, horizon);
  }
  for (const auto& t : targets) summary.rows.emplace_back(t.table, t.count);
  if (options.dry_run) return summary;

  job::JobStart start;
  start.kind = job::JobKind::kCleanup;
  start.range_start = start.range_end = FloorToSecond(summary.cutoff.value_or(now));
  if (!summary.cutoff) {
    start.reason = fmt::format("usage.retention.years = {}: every record is kept",
                               settings.retention_years);
  } else {
    start.reason = fmt::format("usage.retention.years = {}: records ending before {}",
                               settings.retention_years, FormatUtc(*summary.cutoff));
    auto oldest = conn.QueryInt(
        "SELECT count(*) FROM ${usage}.cloud_usage WHERE end_date < ?", *summary.cutoff);
    if (oldest > 0) {
      auto& q = conn.Prepare("SELECT min(start_date) FROM ${usage}.cloud_usage").Bind();
      if (q.Next() && !q.IsNull(0)) start.range_start = std::min(start.range_start, q.Time(0));
      q.Reset();
    }
  }
  for (const auto& t : targets) {
    start.units_total += (t.count + options.batch_size - 1) / options.batch_size;
  }
  job::JobLog jobs(conn);
  summary.job_id = jobs.Start(start, now);
  std::optional<std::string> error;
  try {
    for (size_t i = 0; i < targets.size(); ++i) {
      summary.rows[i].second = DeleteInBatches(conn, targets[i], *summary.job_id, options);
    }
  } catch (const std::exception& e) {
    error = e.what();
  }
  const bool stopped = options.stop && options.stop->load();
  jobs.Finish(*summary.job_id,
              error ? job::JobState::kFailed
                    : (stopped ? job::JobState::kInterrupted : job::JobState::kSucceeded),
              error ? error : (stopped ? std::optional<std::string>("stopped on request")
                                       : std::nullopt),
              clock.Now());
  spdlog::info("cleanup (job {}): {}; {} row(s) deleted", *summary.job_id, *start.reason,
               summary.total());
  if (error) throw Error("cleanup failed: " + *error);
  return summary;
}

}  // namespace usaged::maintain
