#include "job/regeneration.h"

#include <fmt/format.h>
#include <signal.h>
#include <spdlog/spdlog.h>

#include <cerrno>
#include <map>

#include "core/error.h"
#include "core/usage_types.h"
#include "job/account_scope.h"
#include "job/window_ledger.h"
#include "store/retry.h"

namespace usaged::job {
namespace {

std::string_view KindName(const RegenerationRequest& r) { return ToString(r.kind); }

void CheckShape(const RegenerationRequest& r) {
  if (r.kind != JobKind::kGenerate && r.kind != JobKind::kRegenerate) {
    throw InputError("only GENERATE and REGENERATE jobs rebuild records");
  }
  // A reason of blanks says nothing in the audit trail either.
  if (r.kind == JobKind::kRegenerate &&
      (!r.reason || r.reason->find_first_not_of(" \t\r\n") == std::string::npos)) {
    throw InputError("regenerate needs a reason (--reason TEXT): it replaces billed records, and "
                     "the job keeps the reason for the audit trail");
  }
  if (r.account_id && r.domain_id) {
    throw InputError("give an account or a domain, not both");
  }
  if (r.usage_type) {
    const UsageTypeInfo* info = FindUsageType(*r.usage_type);
    if (!info) {
      throw InputError(fmt::format("unknown usage type {}: not a CloudStack usage type id (see "
                                   "`usaged types`)", *r.usage_type));
    }
    auto parsed = ParsedUsageTypes();
    if (std::find(parsed.begin(), parsed.end(), *r.usage_type) == parsed.end()) {
      throw InputError(fmt::format("usaged has no parser for usage type {} ({}); rebuilding it "
                                   "would only delete its records", *r.usage_type, info->name));
    }
  }
}

std::optional<int64_t> WindowStartAtOrBefore(store::Connection& conn, int64_t ms) {
  return conn.QueryInt("SELECT max(start_millis) FROM ${usage}.usaged_window WHERE start_millis <= ?",
                       ms);
}

// Resolves the range to [start, boundary) of billed windows or throws.
std::pair<Instant, Instant> AlignRange(store::Connection& conn, const RegenerationRequest& r,
                                       Instant now) {
  if (r.end <= r.start) {
    throw InputError(fmt::format("the range is empty or inverted: start {} is not before end {}",
                                 FormatUtc(r.start), FormatUtc(r.end)));
  }
  if (r.end > now) {
    throw InputError(fmt::format("end {} is in the future (now is {})", FormatUtc(r.end),
                                 FormatUtc(now)));
  }
  auto first = conn.QueryInt("SELECT min(start_millis) FROM ${usage}.usaged_window");
  auto checkpoint = WindowLedger(conn).Checkpoint();
  if (!first || !checkpoint || FromEpochMillis(*first) >= *checkpoint) {
    throw InputError("nothing is billed yet: run the usage job first (`usaged run --once`)");
  }
  if (r.start < FromEpochMillis(*first)) {
    throw InputError(fmt::format("start {} is before the first window usaged billed ({})",
                                 FormatUtc(r.start), FormatUtc(FromEpochMillis(*first))));
  }
  const int64_t start_ms = ToEpochMillis(r.start), end_ms = ToEpochMillis(r.end);
  std::optional<Instant> end;
  if (conn.QueryInt("SELECT count(*) FROM ${usage}.usaged_window WHERE next_millis = ?",
                    end_ms) > 0) {
    end = r.end;
  } else if (conn.QueryInt("SELECT count(*) FROM ${usage}.usaged_window WHERE next_millis = ?",
                           end_ms + 1000) > 0) {
    end = r.end + std::chrono::seconds(1);  // the window's display end ("... 23:59:59")
  }
  if ((end ? *end : r.end) > *checkpoint) {
    throw InputError(fmt::format("end {} runs past the checkpoint: windows are billed up to {}, "
                                 "the latest end a range may have", FormatUtc(r.end),
                                 FormatUtc(*checkpoint)));
  }
  const bool start_aligned = WindowStartAtOrBefore(conn, start_ms) == start_ms;
  if (!start_aligned || !end) {
    Instant near_start = FromEpochMillis(*WindowStartAtOrBefore(conn, start_ms));
    auto near_end = conn.QueryInt(
        "SELECT min(next_millis) FROM ${usage}.usaged_window WHERE next_millis >= ?", end_ms);
    throw InputError(fmt::format(
        "the range {} to {} is not aligned to billed windows ({} does not {} a window); the "
        "nearest aligned range is {} to {}",
        FormatUtc(r.start), FormatUtc(r.end),
        start_aligned ? FormatUtc(r.end) : FormatUtc(r.start), start_aligned ? "end" : "start",
        FormatUtc(near_start), FormatUtc(near_end ? FromEpochMillis(*near_end) : *checkpoint)));
  }
  return {r.start, *end};
}

// Inside the claim transaction: refuses if a running GENERATE/REGENERATE job
// overlaps the plan's range.
void RefuseOverlaps(store::Connection& conn, const RegenerationPlan& plan, Instant now) {
  InterruptAbandonedRegenerations(conn, now);
  auto& q = conn.Prepare(
      "SELECT id, kind, range_start, range_end, host, pid FROM ${usage}.usaged_job "
      "WHERE state = 'RUNNING' AND kind IN ('GENERATE', 'REGENERATE') AND range_start < ? AND "
      "range_end >= ? ORDER BY id").Bind(plan.end, plan.start);
  std::optional<std::string> overlap;
  if (q.Next()) {
    overlap = fmt::format(
        "the range overlaps job {} ({} of {} to {}, running on {} pid {}); wait for it to finish "
        "(`usaged jobs`)", q.Int(0), q.Text(1), FormatUtc(q.Time(2)), FormatUtc(q.Time(3)),
        q.OptText(4).value_or("?"), q.OptInt(5).value_or(0));
  }
  q.Reset();
  if (overlap) throw InputError(*overlap);
}

int64_t Claim(store::Connection& conn, const RegenerationRequest& r, const RegenerationPlan& plan,
              Instant now) {
  store::Transaction tx(conn);
  // Serialises check-and-claim across processes: every claimant updates the
  // same row first (a row lock on MariaDB; SQLite transactions are exclusive).
  conn.Run("UPDATE ${usage}.usaged_mutex SET holder = ?, taken_at = ? WHERE name = 'regeneration'",
           fmt::format("{} pid {}", HostName(), getpid()), now);
  RefuseOverlaps(conn, plan, now);
  JobStart start;
  start.kind = r.kind;
  start.scope_account_id = r.account_id;
  start.scope_domain_id = r.domain_id;
  start.scope_usage_type = r.usage_type;
  start.reason = r.reason;
  start.requester = r.requester;
  start.range_start = plan.start;
  start.range_end = FloorToSecond(plan.end - Millis(1));
  start.units_total = static_cast<int64_t>(plan.units.size());
  int64_t id = JobLog(conn).StartInTransaction(start, now);
  tx.Commit();
  return id;
}

}  // namespace

int64_t InterruptAbandonedRegenerations(store::Connection& conn, Instant now) {
  auto& q = conn.Prepare(
      "SELECT id, host, pid FROM ${usage}.usaged_job WHERE state = 'RUNNING' AND kind IN "
      "('GENERATE', 'REGENERATE') AND host = ?").Bind(HostName());
  std::vector<int64_t> gone;
  while (q.Next()) {
    int64_t pid = q.OptInt(2).value_or(0);
    if (pid > 0 && kill(static_cast<pid_t>(pid), 0) != 0 && errno == ESRCH) gone.push_back(q.Int(0));
  }
  q.Reset();
  for (int64_t id : gone) {
    conn.Run("UPDATE ${usage}.usaged_job SET state = 'INTERRUPTED', finished_at = ?, error = "
             "'the process running this job stopped before it finished' WHERE id = ?",
             now, id);
  }
  return static_cast<int64_t>(gone.size());
}

RegenerationPlan PlanRegeneration(store::Connection& conn, const RegenerationRequest& request,
                                  Instant now) {
  CheckShape(request);
  RegenerationPlan plan;
  plan.scope.usage_type = request.usage_type;
  plan.scope.accounts = ResolveAccountScope(conn, request.account_id, request.domain_id);
  std::tie(plan.start, plan.end) = AlignRange(conn, request, now);
  auto& q = conn.Prepare(
      "SELECT start_millis, next_millis, shard_count FROM ${usage}.usaged_window "
      "WHERE start_millis >= ? AND next_millis <= ? ORDER BY start_millis")
                .Bind(ToEpochMillis(plan.start), ToEpochMillis(plan.end));
  while (q.Next()) {
    Window w{FromEpochMillis(q.Int(0)), FromEpochMillis(q.Int(1))};
    int shards = static_cast<int>(q.Int(2));
    std::set<int> wanted;
    if (plan.scope.accounts) {
      for (int64_t a : *plan.scope.accounts) wanted.insert(static_cast<int>(a % shards));
    } else {
      for (int s = 0; s < shards; ++s) wanted.insert(s);
    }
    for (int s : wanted) plan.units.push_back(UnitSlice{w, s, shards});
  }
  q.Reset();
  return plan;
}

RegenerationResult RunRegeneration(store::Connection& conn, const Clock& clock,
                                   const RegenerationRequest& request,
                                   const RunControl& control) {
  const RegenerationPlan plan = PlanRegeneration(conn, request, clock.Now());
  const UsageSettings settings = LoadSettings(conn);
  RegenerationResult result;
  result.units_total = static_cast<int64_t>(plan.units.size());
  result.job_id = store::RetryTransient("claiming the range",
                                        [&] { return Claim(conn, request, plan, clock.Now()); });
  spdlog::info("job {} ({}): {} unit(s) from {} to {}, reason: {}", result.job_id,
               KindName(request), plan.units.size(), FormatUtc(plan.start), FormatUtc(plan.end),
               request.reason.value_or("-"));
  const store::AccountDirectory accounts = store::AccountDirectory::Load(conn);
  const RebuildMode mode =
      request.kind == JobKind::kRegenerate ? RebuildMode::kReplace : RebuildMode::kFillMissing;
  JobLog jobs(conn);
  std::optional<std::string> error;
  for (const UnitSlice& unit : plan.units) {
    if (control.stop_requested()) {
      result.interrupted = true;
      break;
    }
    std::string what = fmt::format("{} of window {}, shard {}", KindName(request),
                                   FormatUtc(unit.window.start), unit.shard);
    try {
      RebuildResult r = store::RetryTransient(what, [&] {
        store::Transaction tx(conn);
        RebuildResult rebuilt =
            RebuildUnitRecords(conn, unit, settings.hours_mode, accounts, plan.scope, mode);
        jobs.AddUnitDone(result.job_id, rebuilt.written);
        tx.Commit();
        return rebuilt;
      });
      ++result.units_done;
      result.records_deleted += r.deleted;
      result.records_written += r.written;
    } catch (const std::exception& e) {
      spdlog::error("{} failed: {}", what, e.what());
      ++result.units_failed;
      error = fmt::format("{} failed: {}", what, e.what());
      store::RetryTransient("recording a failed unit", [&] { jobs.AddUnitFailed(result.job_id); });
    }
  }
  JobState state = result.interrupted ? JobState::kInterrupted
                   : error            ? JobState::kFailed
                                      : JobState::kSucceeded;
  if (result.interrupted) error = "stopped on request";
  jobs.Finish(result.job_id, state, error, clock.Now());
  spdlog::info("job {} ({}) {}: {} unit(s) done, {} failed; {} record(s) deleted, {} written",
               result.job_id, KindName(request), ToString(state), result.units_done,
               result.units_failed, result.records_deleted, result.records_written);
  return result;
}

}  // namespace usaged::job
