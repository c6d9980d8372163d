#include "cluster/cluster_run.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <thread>

#include "job/job_log.h"
#include "job/window_ledger.h"
#include "store/retry.h"

namespace usaged::cluster {
namespace {

// Pending units that belong in a job `job_id` (units that failed in it wait
// for the next job), with the range they span.
struct PendingSpan {
  int64_t units = 0;
  std::optional<int64_t> first_start_ms;
  std::optional<int64_t> last_next_ms;
};

PendingSpan CountPending(store::Connection& conn, int64_t job_id,
                         std::optional<int64_t> ready_until_ms = std::nullopt) {
  auto& q = conn.Prepare(
                    "SELECT count(*), min(w.start_millis), max(w.next_millis) "
                    "FROM ${usage}.usaged_unit u JOIN ${usage}.usaged_window w ON w.id = "
                    "u.window_id LEFT JOIN ${usage}.usaged_claim c ON c.window_id = u.window_id "
                    "AND c.shard = u.shard WHERE u.state <> 'done' AND w.next_millis <= ? AND "
                    "NOT (c.state IS NOT NULL AND c.state = 'failed' AND c.job_id = ?)")
                .Bind(ready_until_ms.value_or(INT64_MAX), job_id);
  PendingSpan span;
  if (q.Next()) {
    span.units = q.Int(0);
    span.first_start_ms = q.OptInt(1);
    span.last_next_ms = q.OptInt(2);
  }
  q.Reset();
  return span;
}

// Whether a node other than `me` has renewed its heartbeat within a lease.
bool OtherNodesAlive(store::Connection& conn, const NodeIdentity& me) {
  auto n = conn.QueryInt(
      "SELECT count(*) FROM ${usage}.usaged_node WHERE id <> ? AND stopped_millis IS NULL "
      "AND heartbeat_millis > ?",
      me.node_id, DbNowMillis(conn) - me.lease_ms);
  return n.value_or(0) > 0;
}

bool JobRunning(store::Connection& conn, std::optional<int64_t> job_id) {
  if (!job_id) return false;
  auto n = conn.QueryInt(
      "SELECT count(*) FROM ${usage}.usaged_job WHERE id = ? AND state = 'RUNNING'", *job_id);
  return n.value_or(0) > 0;
}

// Ends the ingest lease: publishes the planned windows as ready, with the RUN
// job that covers their pending units. False if the lease was lost meanwhile
// (another node took it over), in which case nothing is published.
bool PublishIngest(store::Connection& conn, const NodeIdentity& me, int64_t token,
                   const Clock& clock) {
  return store::RetryTransient("publishing the ingest", [&] {
    store::Transaction tx(conn);
    IngestLease lease = ReadIngestLease(conn, "FOR UPDATE");
    if (lease.holder != me.node_id || lease.token != token) return false;
    std::optional<Instant> planned = job::WindowLedger(conn).PlannedUntil();
    std::optional<int64_t> ready;
    if (planned) ready = ToEpochMillis(*planned);
    std::optional<int64_t> job_id = lease.job_id;
    bool running = JobRunning(conn, job_id);
    if (running && !OtherNodesAlive(conn, me)) {
      // Every node that ran it stopped before it finished: as with one
      // process, it ends INTERRUPTED and a new job takes its units.
      conn.Run(
          "UPDATE ${usage}.usaged_job SET state = 'INTERRUPTED', finished_at = ?, "
          "error = 'the nodes running this job stopped before it finished' WHERE id = ?",
          clock.Now(), *job_id);
      job::JobLog(conn).RaiseJobsStopped(1, clock.Now());
      spdlog::warn("job {} left running by stopped nodes marked INTERRUPTED", *job_id);
      running = false;
    }
    PendingSpan span = CountPending(conn, running ? *job_id : -1);
    if (span.units > 0 && running) {
      // Still running (its nodes were stopped): it takes the new units too.
      Instant end = Window{FromEpochMillis(*span.last_next_ms - 1),
                           FromEpochMillis(*span.last_next_ms)}.display_end();
      conn.Run(
          "UPDATE ${usage}.usaged_job SET units_total = units_done + units_failed + ?, "
          "range_end = CASE WHEN range_end < ? THEN ? ELSE range_end END WHERE id = ?",
          span.units, end, end, *job_id);
    } else if (span.units > 0) {
      job::JobStart start;
      start.range_start = FromEpochMillis(*span.first_start_ms);
      start.range_end = Window{FromEpochMillis(*span.last_next_ms - 1),
                               FromEpochMillis(*span.last_next_ms)}.display_end();
      start.units_total = span.units;
      job_id = job::JobLog(conn).StartInTransaction(start, clock.Now());
      spdlog::info("job {}: {} unit(s) from {} to {}, shared by the nodes", *job_id, span.units,
                   FormatUtc(start.range_start), FormatUtc(start.range_end));
    }
    conn.Run(
        "UPDATE ${usage}.usaged_lease SET node_id = NULL, expires_millis = 0, "
        "ready_until_millis = ?, job_id = ?, published_token = token WHERE name = 'ingest'",
        ready, job_id);
    tx.Commit();
    return true;
  });
}

// Finishes the published job if none of its units is left; only one node's
// update changes the job row, and that node writes the usage_job row in the
// same transaction.
void FinishJobIfComplete(store::Connection& conn, const NodeIdentity& me, const Clock& clock) {
  store::RetryTransient("finishing the job", [&] {
    store::Transaction tx(conn);
    IngestLease lease = ReadIngestLease(conn, "LOCK IN SHARE MODE");
    if (lease.HeldByOther(me.node_id, DbNowMillis(conn)) || !lease.job_id ||
        !lease.ready_until_ms) {
      return;
    }
    int64_t job_id = *lease.job_id;
    if (CountPending(conn, job_id, lease.ready_until_ms).units > 0) return;
    auto& q = conn.Prepare(
                      "SELECT units_failed, range_start, created_at FROM ${usage}.usaged_job "
                      "WHERE id = ? AND state = 'RUNNING'")
                  .Bind(job_id);
    if (!q.Next()) {
      q.Reset();
      return;
    }
    int64_t failed = q.Int(0);
    Instant range_start = q.Time(1), created = q.Time(2);
    q.Reset();
    const bool success = failed == 0;
    std::optional<std::string> error;
    if (!success) error = fmt::format("{} unit(s) failed; they are retried by the next run", failed);
    if (conn.Run("UPDATE ${usage}.usaged_job SET state = ?, error = ?, finished_at = ? "
                 "WHERE id = ? AND state = 'RUNNING'",
                 job::ToString(success ? job::JobState::kSucceeded : job::JobState::kFailed),
                 error, clock.Now(), job_id) != 1) {
      return;
    }
    if (!success) job::JobLog(conn).RaiseJobFailed(job_id, error, clock.Now());
    job::WriteCloudStackRun(conn, range_start, FromEpochMillis(*lease.ready_until_ms - 1),
                            (clock.Now() - created).count(), success, clock);
    tx.Commit();
    spdlog::info("job {} {} (finished by node {})", job_id,
                 success ? "succeeded" : "failed", me.node_id);
  });
}

// A stopped node leaves its job RUNNING for the other nodes; if none is
// alive, the job is INTERRUPTED and the next pass starts a new one.
void InterruptJobIfAlone(store::Connection& conn, const NodeIdentity& me, const Clock& clock) {
  store::RetryTransient("interrupting the job", [&] {
    store::Transaction tx(conn);
    IngestLease lease = ReadIngestLease(conn, "FOR UPDATE");
    if (OtherNodesAlive(conn, me) || !lease.job_id) return;
    conn.Run(
        "UPDATE ${usage}.usaged_job SET state = 'INTERRUPTED', finished_at = ?, "
        "error = 'stopped on request; pending units run next time' "
        "WHERE id = ? AND state = 'RUNNING'",
        clock.Now(), *lease.job_id);
    tx.Commit();
  });
}

void Pause(int ms) { std::this_thread::sleep_for(std::chrono::milliseconds(ms)); }

bool StopRequested(const job::RunControl& control) { return control.stop_requested(); }

// Takes the ingest lease if free and does the ingest under it. True if this
// node published an ingest.
bool IngestIfFree(store::Connection& conn, const NodeIdentity& me, const Clock& clock,
                  const UsageSettings& settings, Instant started, const job::RunControl& control,
                  job::RunSummary& summary) {
  std::optional<int64_t> token = TryAcquireIngest(conn, me);
  if (!token && ReapDeadNodes(conn, me) > 0) token = TryAcquireIngest(conn, me);
  if (!token) return false;
  // No claim is granted while we hold the lease; units in flight finish (or
  // their claims expire) before the helper tables change.
  for (;;) {
    IngestStart start = BeginIngestChanges(conn, me, *token);
    if (start == IngestStart::kBegun) break;
    if (start == IngestStart::kLeaseLost) {
      spdlog::warn("node {} lost the ingest lease while units finished", me.node_id);
      return false;
    }
    if (StopRequested(control)) return false;
    if (ReapDeadNodes(conn, me) == 0) Pause(50);
  }
  job::IngestDue(conn, clock, settings, started, summary);
  summary.restated_units += job::RunRestatements(conn, settings, clock);
  if (!PublishIngest(conn, me, *token, clock)) {
    spdlog::warn("node {} lost the ingest lease before publishing; another node ingests",
                 me.node_id);
    return false;
  }
  return true;
}

}  // namespace

job::RunSummary RunNodePass(Node& node, store::Connection& conn, const Clock& clock,
                            const job::RunControl& control) {
  const Instant started = clock.Now();
  const NodeIdentity me = node.identity();
  UsageSettings settings = job::LoadSettings(conn);
  ReadCommittedEverywhere(conn);
  const int64_t token_at_start = ReadIngestLease(conn).token;
  job::RunSummary summary;
  ClaimFence fence(me);
  const auto units_start = std::chrono::steady_clock::now();

  ReapDeadNodes(conn, me);
  while (!StopRequested(control)) {
    IngestIfFree(conn, me, clock, settings, started, control, summary);
    IngestLease lease = ReadIngestLease(conn);
    if (lease.HeldByOther(me.node_id, DbNowMillis(conn))) {
      Pause(100);
      continue;
    }
    const store::AccountDirectory accounts = store::AccountDirectory::Load(conn);
    ClaimSource source(me, control.stop);
    ExecutorTotals totals = RunUnits(
        source, control.connect ? settings.threads : 1, conn,
        [&]() {
          auto worker = control.connect();
          ReadCommittedEverywhere(*worker);
          return worker;
        },
        [&](store::Connection& worker, const job::Unit& unit) {
          UnitOutcome outcome =
              job::RunUnit(worker, unit, settings, accounts, unit.claim_job_id, clock, &fence);
          if (outcome.kind == UnitOutcome::Kind::kFailed) {
            MarkClaimFailed(worker, me, unit, unit.claim_job_id);
          }
          return outcome;
        },
        control.stop);
    summary.units_done += totals.done;
    summary.units_failed += totals.failed;
    summary.records += totals.records;
    if (totals.interrupted) break;
    FinishJobIfComplete(conn, me, clock);

    lease = ReadIngestLease(conn);
    std::optional<Instant> planned = job::WindowLedger(conn).PlannedUntil();
    bool all_ready = !planned || (lease.ready_until_ms &&
                                  *lease.ready_until_ms >= ToEpochMillis(*planned));
    if (lease.published_token > token_at_start && all_ready &&
        !lease.HeldByOther(me.node_id, DbNowMillis(conn))) {
      break;
    }
    Pause(50);  // an ingest is due or under way elsewhere: take part in it
  }
  summary.interrupted = StopRequested(control);
  if (summary.interrupted) InterruptJobIfAlone(conn, me, clock);
  summary.units_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - units_start).count();
  summary.checkpoint = job::WindowLedger(conn).Checkpoint();
  if (auto job_id = ReadIngestLease(conn).job_id) summary.job_id = *job_id;
  if (summary.units_done == 0 && summary.units_failed == 0 && summary.windows_planned == 0) {
    spdlog::info("no window is due (checkpoint {})",
                 summary.checkpoint ? FormatUtc(*summary.checkpoint) : "none");
  }
  spdlog::info("node {}: {} unit(s) done, {} failed, {} record(s); checkpoint {}", me.node_id,
               summary.units_done, summary.units_failed, summary.records,
               summary.checkpoint ? FormatUtc(*summary.checkpoint) : "none");
  return summary;
}

}  // namespace usaged::cluster
