#include "job/usage_run.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>

#include "core/error.h"
#include "core/fault_injector.h"
#include "ingest/event_applier.h"
#include "ingest/event_copy.h"
#include "ingest/healing.h"
#include "ingest/statistics.h"
#include "job/job_log.h"
#include "job/restatement.h"
#include "job/window_ledger.h"
#include "parse/parsers.h"
#include "store/configuration.h"
#include "store/retry.h"

namespace usaged::job {
namespace {

constexpr int kTransientRetries = 3;
// A unit's commit conflicts with the other units' commits (they all update
// the job's row): on one server they wait for each other's row locks, on a
// Galera cluster the later of two commits made on different DB nodes is
// refused and must be made again. The parsed records stay valid meanwhile.
constexpr int kCommitRetries = 8;

// Parses one unit. The parse reads outside the write transaction, so
// parallel workers overlap their reads on every engine (SQLite allows one
// writer at a time); the helper tables do not change while units run (ingest
// is over, or fenced off by the ingest lease).
std::vector<UsageRecord> ParseUnit(store::Connection& conn, const Unit& unit,
                                   const UsageSettings& settings,
                                   const store::AccountDirectory& accounts) {
  FaultInjector::Global().Hit(FaultInjector::Point::kUnitStart);
  parse::ParseScope scope;
  scope.window = unit.window;
  scope.shard = unit.shard;
  scope.shard_count = unit.shard_count;
  scope.hours_mode = settings.hours_mode;
  scope.directory = &accounts;
  std::vector<UsageRecord> records = parse::ParseAll(conn, scope);
  FaultInjector::Global().Hit(FaultInjector::Point::kUnitParsed);
  return records;
}

// Commits a unit's records together with its done-mark, as one transaction
// that a failure rolls back whole (records, mark, claim and job counts), so
// making it again never counts anything twice.
void CommitUnit(store::Connection& conn, const Unit& unit, const std::vector<UsageRecord>& records,
                int64_t job_id, const Clock& clock, UnitFence* fence) {
  store::Transaction tx(conn);
  if (fence) fence->CheckHeld(conn, unit);
  conn.InsertUsageRecords(records);
  WindowLedger ledger(conn);
  if (!ledger.MarkDone(unit, static_cast<int64_t>(records.size()), job_id, clock.Now())) {
    throw Error(fmt::format("unit (window {}, shard {}) was already done", FormatUtc(unit.window.start),
                            unit.shard));
  }
  if (fence) fence->Release(conn, unit);
  FaultInjector::Global().Hit(FaultInjector::Point::kUnitBeforeCommit);
  // Last: every unit of a job updates this one row.
  JobLog(conn).AddUnitDone(job_id, static_cast<int64_t>(records.size()));
  tx.Commit();
}

}  // namespace

cluster::UnitOutcome RunUnit(store::Connection& conn, const Unit& unit,
                             const UsageSettings& settings,
                             const store::AccountDirectory& accounts, int64_t job_id,
                             const Clock& clock, UnitFence* fence) {
  using Kind = cluster::UnitOutcome::Kind;
  std::string what = fmt::format("unit (window {}, shard {})", FormatUtc(unit.window.start),
                                 unit.shard);
  std::string error;
  try {
    const auto parse_start = std::chrono::steady_clock::now();
    std::vector<UsageRecord> records = store::RetryTransient(what, [&] {
      return ParseUnit(conn, unit, settings, accounts);
    }, kTransientRetries);
    const auto commit_start = std::chrono::steady_clock::now();
    store::RetryTransient("committing " + what, [&] {
      CommitUnit(conn, unit, records, job_id, clock, fence);
    }, kCommitRetries);
    using Ms = std::chrono::duration<double, std::milli>;
    spdlog::debug("{}: {} record(s), parsed in {:.0f} ms, committed in {:.0f} ms", what,
                  records.size(), Ms(commit_start - parse_start).count(),
                  Ms(std::chrono::steady_clock::now() - commit_start).count());
    return {Kind::kDone, static_cast<int64_t>(records.size())};
  } catch (const UnitFenceError& e) {
    spdlog::warn("{} not committed: {}", what, e.what());
    fence->Abandon(conn, unit);
    return {Kind::kLost, 0};
  } catch (const std::exception& e) {
    error = e.what();
  }
  spdlog::error("{} failed: {}", what, error);
  // Two transactions, each retried alone, so neither is counted twice.
  store::RetryTransient("recording the failure of " + what, [&] {
    WindowLedger(conn).RecordFailure(unit, error, clock.Now(), settings.alert_unit_failures);
  });
  store::RetryTransient("counting the failure of " + what,
                        [&] { JobLog(conn).AddUnitFailed(job_id); });
  return {Kind::kFailed, 0};
}

int64_t RunRestatements(store::Connection& conn, const UsageSettings& settings,
                        const Clock& clock) {
  Restatements restatements(conn);
  std::vector<Restatements::Work> work = restatements.Pending();
  if (work.empty()) return 0;
  JobLog jobs(conn);
  JobStart start;
  start.kind = JobKind::kRestate;
  start.reason = "late events";
  start.range_start = work.front().window.start;
  start.range_end = work.front().window.display_end();
  for (const auto& w : work) start.range_end = std::max(start.range_end, w.window.display_end());
  start.units_total = static_cast<int64_t>(work.size());
  int64_t job_id = jobs.Start(start, clock.Now());
  const store::AccountDirectory accounts = store::AccountDirectory::Load(conn);
  int64_t done = 0;
  std::optional<std::string> error;
  for (const auto& w : work) {
    try {
      int64_t records = store::RetryTransient("restating a window", [&] {
        return restatements.Restate(w, settings, accounts, job_id, clock.Now());
      });
      store::RetryTransient("counting a restated window",
                            [&] { JobLog(conn).AddUnitDoneOutsideUnit(job_id, records); });
      ++done;
    } catch (const std::exception& e) {
      spdlog::error("restating window {} failed: {}", FormatUtc(w.window.start), e.what());
      jobs.AddUnitFailed(job_id);
      error = e.what();
    }
  }
  jobs.Finish(job_id, error ? JobState::kFailed : JobState::kSucceeded, error, clock.Now());
  return done;
}

UsageSettings LoadSettings(store::Connection& conn) {
  store::Configuration config(conn);
  return UsageSettings::Load([&](std::string_view key) { return config.Get(key); });
}

TimeZone LoadAggregationZone(store::Connection& conn) {
  store::Configuration config(conn);
  return TimeZone::Parse(LoadConfigValue([&](std::string_view key) { return config.Get(key); },
                                         "usage.aggregation.timezone"));
}

void IngestDue(store::Connection& conn, const Clock& clock, const UsageSettings& settings,
               Instant started, RunSummary& summary) {
  WindowCalendar calendar(settings);
  WindowLedger ledger(conn);
  store::RetryTransient("copying accounts", [&] { return ingest::SyncAccounts(conn); });
  summary.events_copied =
      store::RetryTransient("copying events", [&] { return ingest::CopyNewEvents(conn); });

  ingest::LatePolicy late;
  late.billed_until = BilledUntil(conn);
  late.refuse_before = started - std::chrono::hours(24 * settings.restatement_max_days);
  std::optional<Instant> plan_from = ledger.PlannedUntil();
  if (!plan_from) plan_from = FindOrigin(conn, calendar);
  if (plan_from) {
    Instant due_before = started - std::chrono::seconds(settings.settle_seconds);
    summary.windows_planned = static_cast<int64_t>(
        store::RetryTransient("planning windows", [&] {
          return ledger.PlanWindows(calendar, *plan_from, due_before, settings.account_shards,
                                    started);
        }).size());
  }
  // Apply every event the planned windows can see (created before their end).
  const auto ingest_start = std::chrono::steady_clock::now();
  if (auto planned_until = ledger.PlannedUntil()) {
    ingest::EventApplier applier(ingest::HandlerOptionsFor(settings));
    // Pages already committed stay applied; a retry continues with the rest.
    auto stats = store::RetryTransient("applying events", [&] {
      return applier.ApplyPending(conn, *planned_until, late, clock);
    });
    summary.events_applied = stats.applied + stats.healed;
    summary.events_quarantined = stats.quarantined;
    summary.late_events = static_cast<int64_t>(stats.late_events.size());
    summary.late_refused = stats.late_refused;
    store::RetryTransient("marking restatements",
                          [&] { return Restatements(conn).Mark(stats.late_events, clock.Now()); });
    summary.healed = static_cast<int64_t>(
        store::RetryTransient("healing helper tables", [&] {
          return ingest::HealHelperTables(conn, ledger.Checkpoint(), clock.Now());
        }).size());
    // Counters are sampled once per planned window, before it is parsed.
    store::RetryTransient("reading statistics",
                          [&] {
                            return ingest::SnapshotStatistics(
                                conn, clock.Now(), ingest::StatisticsOptionsFor(settings));
                          });
  }
  summary.ingest_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - ingest_start).count();
}

void WriteCloudStackRun(store::Connection& conn, Instant range_start, Instant last_millisecond,
                        int64_t exec_ms, bool success, const Clock& clock) {
  JobLog jobs(conn);
  Instant cs_start = range_start;
  if (auto last = jobs.LastSuccessEndMillis()) {
    Instant after_last = FromEpochMillis(*last + 1);
    if (after_last < cs_start) cs_start = after_last;
  }
  jobs.WriteCloudStackJob(cs_start, last_millisecond, exec_ms, success, clock.Now());
}

RunSummary RunDueWindows(store::Connection& conn, const Clock& clock,
                         const RunControl& control) {
  const Instant started = clock.Now();
  UsageSettings settings = LoadSettings(conn);
  JobLog jobs(conn);
  WindowLedger ledger(conn);
  RunSummary summary;

  if (int64_t n = store::RetryTransient("marking interrupted jobs",
                                        [&] { return jobs.MarkInterrupted(started); })) {
    spdlog::warn("{} job(s) left running by a stopped process marked INTERRUPTED", n);
  }
  IngestDue(conn, clock, settings, started, summary);
  summary.restated_units = RunRestatements(conn, settings, clock);
  std::vector<Unit> units = ledger.PendingUnits();
  if (units.empty()) {
    summary.checkpoint = ledger.Checkpoint();
    spdlog::info("no window is due (checkpoint {})",
                 summary.checkpoint ? FormatUtc(*summary.checkpoint) : "none");
    return summary;
  }

  JobStart start;
  start.range_start = units.front().window.start;
  start.range_end = units.back().window.display_end();
  Instant last_millisecond = units.back().window.last_millisecond();
  for (const Unit& u : units) {
    start.range_end = std::max(start.range_end, u.window.display_end());
    last_millisecond = std::max(last_millisecond, u.window.last_millisecond());
  }
  start.units_total = static_cast<int64_t>(units.size());
  int64_t job_id = jobs.Start(start, clock.Now());
  summary.job_id = job_id;
  const int threads = control.connect ? settings.threads : 1;
  spdlog::info("job {}: {} unit(s) from {} to {} on {} thread(s)", job_id, units.size(),
               FormatUtc(start.range_start), FormatUtc(start.range_end), threads);

  const auto units_start = std::chrono::steady_clock::now();
  const store::AccountDirectory accounts = store::AccountDirectory::Load(conn);
  cluster::ListSource source(std::move(units));
  cluster::ExecutorTotals totals = cluster::RunUnits(
      source, threads, conn, control.connect,
      [&](store::Connection& worker, const Unit& unit) {
        return RunUnit(worker, unit, settings, accounts, job_id, clock);
      },
      control.stop);
  summary.units_done = totals.done;
  summary.units_failed = totals.failed;
  summary.records = totals.records;
  summary.interrupted = totals.interrupted;

  summary.units_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - units_start).count();
  summary.checkpoint = ledger.Checkpoint();
  if (summary.interrupted) {
    jobs.Finish(job_id, JobState::kInterrupted, "stopped on request; pending units run next time",
                clock.Now());
    spdlog::info("job {} stopped on request after {} unit(s); checkpoint {}", job_id,
                 summary.units_done,
                 summary.checkpoint ? FormatUtc(*summary.checkpoint) : "none");
    return summary;
  }
  const bool success = summary.units_failed == 0;
  std::optional<std::string> error;
  if (!success) error = fmt::format("{} unit(s) failed; they are retried by the next run",
                                    summary.units_failed);
  jobs.Finish(job_id, success ? JobState::kSucceeded : JobState::kFailed, error, clock.Now());
  WriteCloudStackRun(conn, start.range_start, last_millisecond,
                     (clock.Now() - started).count(), success, clock);
  spdlog::log(success ? spdlog::level::info : spdlog::level::err,
              "job {} {}: {} unit(s) done, {} failed, {} record(s); checkpoint {}; events {:.2f} s, "
              "units {:.2f} s",
              job_id, success ? "succeeded" : "failed", summary.units_done, summary.units_failed,
              summary.records, summary.checkpoint ? FormatUtc(*summary.checkpoint) : "none",
              summary.ingest_seconds, summary.units_seconds);
  return summary;
}

}  // namespace usaged::job
