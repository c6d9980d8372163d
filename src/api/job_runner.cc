#include "api/job_runner.h"

#include <fmt/format.h>

#include <map>
#include <mutex>

#include "core/error.h"
#include "job/job_log.h"
#include "job/regeneration.h"
#include "job/run_gate.h"
#include "job/usage_run.h"

namespace usaged::api {
namespace {

job::RegenerationRequest ToLibrary(const RegenerateRequest& r) {
  job::RegenerationRequest out;
  out.kind = r.fill_missing ? job::JobKind::kGenerate : job::JobKind::kRegenerate;
  out.start = r.start;
  out.end = r.end;
  out.account_id = r.scope_account_id;
  out.domain_id = r.scope_account_id ? std::nullopt : r.scope_domain_id;
  out.usage_type = r.usage_type;
  if (!r.reason.empty()) out.reason = r.reason;
  out.requester = "api:" + r.requester;
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

  // Runs job/regeneration's REGENERATE: per billed unit in range, the records
  // in scope are deleted and parsed again in one transaction (GENERATE with
  // fill_missing: only the missing ones are inserted). It claims its
  // range itself (overlapping requests are refused), so no job lock is taken.
  JobOutcome Regenerate(store::Connection& conn, const RegenerateRequest& r) override {
    job::RegenerationResult result = job::RunRegeneration(conn, clock_, ToLibrary(r));
    if (!result.ok()) {
      throw Error(fmt::format("{} of {} unit(s) failed{}", result.units_failed,
                              result.units_total, result.interrupted ? " (interrupted)" : ""));
    }
    JobOutcome out;
    out.job_id = result.job_id;
    out.windows = result.units_done;
    out.records = result.records_written;
    out.text = r.fill_missing
                   ? fmt::format("generated {} unit(s): {} missing record(s) written",
                                 result.units_done, result.records_written)
                   : fmt::format("regenerated {} unit(s): {} record(s) replaced by {}",
                                 result.units_done, result.records_deleted,
                                 result.records_written);
    return out;
  }

  void Check(store::Connection& conn, const RegenerateRequest& r) override {
    job::PlanRegeneration(conn, ToLibrary(r), clock_.Now());
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
