#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/time.h"
#include "store/connection.h"

namespace usaged::job {

enum class JobKind { kRun, kRestate, kGenerate, kRegenerate, kCleanup, kRepair, kSanity };
enum class JobState { kRunning, kSucceeded, kFailed, kInterrupted };

std::string_view ToString(JobKind kind);
std::string_view ToString(JobState state);

// A row of usaged_job: one logical job of any kind, with its scope and progress.
struct JobRecord {
  int64_t id = 0;
  std::string kind;
  std::string state;
  std::optional<int64_t> scope_account_id;
  std::optional<int64_t> scope_domain_id;
  std::optional<int> scope_usage_type;
  std::optional<std::string> reason;
  std::optional<std::string> requester;
  std::optional<Instant> range_start;
  std::optional<Instant> range_end;
  int64_t units_total = 0;
  int64_t units_done = 0;
  int64_t units_failed = 0;
  int64_t records = 0;
  std::string host;
  int64_t pid = 0;
  Instant created_at{};
  std::optional<Instant> finished_at;
  std::optional<std::string> error;
};

struct JobStart {
  JobKind kind = JobKind::kRun;
  std::optional<int64_t> scope_account_id;
  std::optional<int64_t> scope_domain_id;
  std::optional<int> scope_usage_type;
  std::optional<std::string> reason;
  std::optional<std::string> requester;
  Instant range_start{};
  Instant range_end{};  // display end of the last window (inclusive)
  int64_t units_total = 0;
};

// usaged_job bookkeeping, plus the rows CloudStack's own tools read from
// cloud_usage.usage_job.
class JobLog {
 public:
  explicit JobLog(store::Connection& conn) : conn_(conn) {}

  // Inserts a RUNNING job (inside the caller's transaction if one is open);
  // returns its id. range_start <= range_end is checked
  // here and by the table's CHECK constraint.
  int64_t Start(const JobStart& start, Instant now);
  // Same, inside the caller's transaction (to check and claim atomically).
  int64_t StartInTransaction(const JobStart& start, Instant now);
  // Counts one finished unit, inside the unit's transaction.
  void AddUnitDone(int64_t job_id, int64_t records);
  void AddUnitFailed(int64_t job_id);
  // Counts one finished unit in its own transaction.
  void AddUnitDoneOutsideUnit(int64_t job_id, int64_t records);
  // Records the job's end; a FAILED job raises a USAGE_JOB_FAILED alert in
  // the same transaction.
  void Finish(int64_t job_id, JobState state, const std::optional<std::string>& error, Instant now);
  // Records the end of a job that raises its own alert about its outcome (a
  // sanity check, whose findings are not a failure to retry): no
  // USAGE_JOB_FAILED alert, whatever the state.
  void FinishWithOwnAlert(int64_t job_id, JobState state, const std::optional<std::string>& error,
                          Instant now);
  // Jobs left RUNNING by a process that no longer runs become INTERRUPTED,
  // with one USAGE_JOB_FAILED alert in the same transaction.
  // Called by the holder of the job lock; GENERATE and REGENERATE jobs run
  // without that lock (next to the scheduled job), so they are left alone
  // here and handled by job/regeneration.
  int64_t MarkInterrupted(Instant now);
  // The alerts behind Finish and MarkInterrupted, for callers that change the
  // job row themselves (the nodes of a cluster); inside the caller's
  // transaction.
  void RaiseJobFailed(int64_t job_id, const std::optional<std::string>& error, Instant now);
  void RaiseJobsStopped(int64_t count, Instant now);

  std::vector<JobRecord> List(int limit = 100);

  // Writes the finished job to cloud_usage.usage_job the way the Java server
  // does (job_type 0, start/end in epoch ms and as DATETIME, success 0/1), so
  // listUsageServerMetrics and the Java server itself see usaged's progress.
  // Never writes a row whose start is after its end. Joins the caller's
  // transaction if one is open.
  void WriteCloudStackJob(Instant start, Instant end_inclusive, int64_t exec_ms, bool success,
                          Instant now);
  // End (epoch ms) of the newest successful CloudStack usage_job row.
  std::optional<int64_t> LastSuccessEndMillis();

 private:
  store::Connection& conn_;
};

// "<hostname>/<address>", as the Java server writes usage_job.host.
std::string HostName();

}  // namespace usaged::job
