#include "api/job_runner.h"

#include <fmt/format.h>

#include <map>
#include <mutex>

#include "core/error.h"
#include "job/job_log.h"
#include "job/restatement.h"
#include "job/run_gate.h"
#include "job/usage_run.h"
#include "store/account_directory.h"

namespace usaged::api {
namespace {

// The billed (window, shard) units overlapping [start, end], with the
// requested accounts of each shard.
std::vector<job::Restatements::Work> BilledWork(store::Connection& conn,
                                                const RegenerateRequest& r) {
  auto& q = conn.Prepare(
      "SELECT w.id, w.start_millis, w.next_millis, w.shard_count, u.shard FROM "
      "${usage}.usaged_window w JOIN ${usage}.usaged_unit u ON u.window_id = w.id WHERE "
      "u.state = 'done' AND w.next_millis > ? AND w.start_millis <= ? ORDER BY w.start_millis, "
      "u.shard");
  q.Bind(ToEpochMillis(r.start), ToEpochMillis(r.end));
  std::vector<job::Restatements::Work> out;
  while (q.Next()) {
    job::Restatements::Work w;
    w.window_id = q.Int(0);
    w.window = Window{FromEpochMillis(q.Int(1)), FromEpochMillis(q.Int(2))};
    w.shard_count = static_cast<int>(q.Int(3));
    w.shard = static_cast<int>(q.Int(4));
    for (int64_t a : r.accounts) {
      if (a % w.shard_count == w.shard) w.accounts.insert(a);
    }
    if (!w.accounts.empty()) out.push_back(std::move(w));
  }
  q.Reset();
  return out;
}

class UsageJobRunner final : public JobRunner {
 public:
  UsageJobRunner(store::Store& store, const Clock& clock, bool lock_store)
      : store_(store), clock_(clock), lock_store_(lock_store) {}

  JobOutcome Generate(store::Connection& conn, const std::string& requester) override {
    std::lock_guard<std::mutex> gate(job::ProcessJobMutex());
    auto lock = lock_store_ ? store_.LockJobs() : nullptr;
    job::RunSummary s = job::RunDueWindows(conn, clock_);
    if (!s.ok()) {
      throw Error(fmt::format("{} unit(s) failed; they are retried by the next run",
                              s.units_failed));
    }
    JobOutcome out;
    out.job_id = s.job_id;
    out.windows = s.windows_planned;
    out.records = s.records;
    out.text = fmt::format("{} unit(s) billed, {} record(s) written; checkpoint {}", s.units_done,
                           s.records, s.checkpoint ? FormatUtc(*s.checkpoint) : "none");
    return out;
  }

  JobOutcome Regenerate(store::Connection& conn, const RegenerateRequest& r) override {
    std::lock_guard<std::mutex> gate(job::ProcessJobMutex());
    auto lock = lock_store_ ? store_.LockJobs() : nullptr;
    std::vector<job::Restatements::Work> work = BilledWork(conn, r);
    job::JobLog jobs(conn);
    job::JobStart start;
    start.kind = job::JobKind::kRegenerate;
    start.scope_account_id = r.scope_account_id;
    start.scope_domain_id = r.scope_domain_id;
    start.scope_usage_type = r.usage_type;
    start.reason = r.reason;
    start.requester = r.requester;
    start.range_start = r.start;
    start.range_end = r.end;
    start.units_total = static_cast<int64_t>(work.size());
    const Instant started = clock_.Now();
    int64_t job_id = jobs.Start(start, started);
    JobOutcome out;
    out.job_id = job_id;
    try {
      UsageSettings settings = job::LoadSettings(conn);
      const store::AccountDirectory accounts = store::AccountDirectory::Load(conn);
      job::Restatements restatements(conn);
      for (const auto& w : work) {
        int64_t records = restatements.Restate(w, settings, accounts, job_id, clock_.Now());
        jobs.AddUnitDoneOutsideUnit(job_id, records);
        out.records += records;
        ++out.windows;
      }
    } catch (const std::exception& e) {
      jobs.AddUnitFailed(job_id);
      jobs.Finish(job_id, job::JobState::kFailed, std::string(e.what()), clock_.Now());
      throw;
    }
    jobs.Finish(job_id, job::JobState::kSucceeded, std::nullopt, clock_.Now());
    out.text = fmt::format("regenerated {} billed unit(s) for {} account(s): {} record(s)",
                           out.windows, r.accounts.size(), out.records);
    return out;
  }

 private:
  store::Store& store_;
  const Clock& clock_;
  bool lock_store_;
};

}  // namespace

std::unique_ptr<JobRunner> MakeUsageJobRunner(store::Store& store, const Clock& clock,
                                              bool lock_store) {
  return std::make_unique<UsageJobRunner>(store, clock, lock_store);
}

}  // namespace usaged::api
