// `usaged repair`: the Java server's usage_job rows.
#include <fmt/format.h>

#include "core/fault_injector.h"
#include "maintain/repair_steps.h"

namespace usaged::maintain {
namespace {

constexpr std::string_view kJobColumns =
    "id, host, pid, job_type, scheduled, start_millis, end_millis, exec_time, start_date, "
    "end_date, success, heartbeat";

// CloudStack's job types and its take-over delay: an open row whose
// heartbeat is older belongs to a usage server that is gone.
constexpr int64_t kSingleJob = 1;
constexpr std::chrono::minutes kSilentOwner(5);

struct JobRow {
  int64_t id = 0;
  int64_t start_millis = 0;
  int64_t end_millis = 0;
  Instant heartbeat{};
  int64_t job_type = 0;
  int64_t scheduled = 0;
  std::string owner;
};

std::vector<JobRow> LoadJobs(store::Connection& conn) {
  auto& q = conn.Prepare(
      "SELECT id, start_millis, end_millis, heartbeat, job_type, scheduled, host, pid "
      "FROM ${usage}.usage_job ORDER BY id");
  std::vector<JobRow> jobs;
  while (q.Next()) {
    jobs.push_back({q.Int(0), q.Int(1), q.Int(2), q.Time(3), q.OptInt(4).value_or(0),
                    q.OptInt(5).value_or(0),
                    fmt::format("{} pid {}", q.OptText(6).value_or("?"),
                                q.OptInt(7).value_or(0))});
  }
  q.Reset();
  return jobs;
}

RepairFinding JobFinding(std::string problem, std::optional<Instant> first,
                         std::optional<Instant> last, std::string action) {
  RepairFinding f;
  f.table = "usage_job";
  f.problem = std::move(problem);
  f.rows = 1;
  f.first = first;
  f.last = last;
  f.action = std::move(action);
  return f;
}

}  // namespace

std::optional<std::string> LiveUsageServer(store::Connection& conn, Instant now) {
  for (const JobRow& j : LoadJobs(conn)) {
    if (j.end_millis == 0 && now - j.heartbeat <= kSilentOwner) {
      return fmt::format("{}, heartbeat {} in usage_job row {}", j.owner, FormatUtc(j.heartbeat),
                         j.id);
    }
  }
  return std::nullopt;
}

void RepairJobs(RepairContext& ctx) {
  std::vector<std::pair<int64_t, std::string>> remove;  // id, reason
  for (const JobRow& j : LoadJobs(ctx.conn)) {
    const Instant start = FromEpochMillis(j.start_millis);
    const Instant end = FromEpochMillis(j.end_millis);
    if (j.end_millis == 0 && ctx.options.now - j.heartbeat <= kSilentOwner) {
      // A usage server is alive (RepairDatabase refuses to change anything).
      ctx.tally.Add(JobFinding("server_running", j.heartbeat, j.heartbeat, "stop it first"));
    } else if (j.end_millis == 0 && j.job_type == kSingleJob && j.scheduled == 0) {
      // A run requested by generateUsageRecords that no server took yet:
      // `usaged run` takes it.
    } else if (j.end_millis == 0) {
      ctx.tally.Add(JobFinding("never_finished", j.heartbeat, j.heartbeat, "moved"));
      remove.emplace_back(j.id, fmt::format("never finished ({}, end_millis 0, last heartbeat {})",
                                            j.owner, FormatUtc(j.heartbeat)));
    } else if (j.start_millis > j.end_millis) {
      ctx.tally.Add(JobFinding("inverted_range", start, end, "moved"));
      remove.emplace_back(j.id, fmt::format("range inverted: start {} after end {}",
                                            FormatUtcMillis(start), FormatUtcMillis(end)));
    }
  }
  if (ctx.options.dry_run || remove.empty()) return;
  store::Transaction tx(ctx.conn);
  for (const auto& [id, reason] : remove) {
    CopyToAudit(ctx.conn, "usage_job", kJobColumns, id, ctx.options.now, reason);
    ctx.conn.Run("DELETE FROM ${usage}.usage_job WHERE id = ?", id);
  }
  FaultInjector::Global().Hit(FaultInjector::Point::kRepairBatch);
  tx.Commit();
  ctx.changed_rows += static_cast<int64_t>(remove.size());
}

}  // namespace usaged::maintain
