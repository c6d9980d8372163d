// The job commands: generate and regenerate (asynchronous), the query of an
// asynchronous job, the job list and the removal of old records.
#include <fmt/format.h>

#include <mutex>

#include "api/async_jobs.h"
#include "api/command.h"
#include "api/job_runner.h"
#include "api/scope.h"
#include "core/error.h"
#include "core/timezone.h"
#include "core/usage_types.h"
#include "job/run_gate.h"

namespace usaged::api {
namespace {

constexpr int64_t kRemoveBatch = 10'000;

nlohmann::ordered_json Success(const std::string& text) {
  return {{"success", true}, {"displaytext", text}};
}

ApiResponse JobAccepted(const Request& req, const std::string& uuid) {
  ApiResponse r;
  r.name = ResponseName(req.command());
  r.body["jobid"] = uuid;
  return r;
}

ApiResponse GenerateUsageRecords(const Request& req) {
  const TimeZone utc = TimeZone::Utc();
  req.RequiredText("startdate");
  req.RequiredText("enddate");
  auto start = req.Date("startdate", utc, false);
  auto end = req.Date("enddate", utc, true);
  if (*start > *end) throw ParamError("Incorrect Date Range. Start date is after end date");
  JobRunner* runner = req.services().runner;
  std::string requester = req.caller().api_key;
  std::string uuid = req.services().jobs->Submit(
      req.conn(), req.command(), req.caller(), [runner, requester](store::Connection& conn) {
        return Success(runner->Generate(conn, requester).text);
      });
  return JobAccepted(req, uuid);
}

// The scope of a regeneration, from the parameters and the caller: one
// account, one domain subtree, or (root admin only) everything.
void RegenerateScope(const Request& req, RegenerateRequest& r) {
  const Caller& caller = req.caller();
  if (auto id = req.Text("accountid")) {
    auto account = FindAccount(req.conn(), *id);
    if (!account) throw ParamError(fmt::format("Unable to find account by id {}", *id));
    RequireMaySee(req.conn(), caller, *account);
    r.scope_account_id = account->id;
    return;
  }
  if (auto id = req.Text("domainid")) {
    auto domain = FindDomain(req.conn(), *id);
    if (!domain) throw ParamError(fmt::format("Unable to find domain by id {}", *id));
    RequireDomainInScope(caller, *domain);
    r.scope_domain_id = domain->id;
    return;
  }
  if (caller.role == Role::kUser) r.scope_account_id = caller.account_id;
  if (caller.role == Role::kDomainAdmin) r.scope_domain_id = caller.domain_id;
}

ApiResponse RegenerateUsageRecords(const Request& req) {
  const TimeZone utc = TimeZone::Utc();
  req.RequiredText("startdate");
  req.RequiredText("enddate");
  RegenerateRequest r;
  r.start = *req.Date("startdate", utc, false);
  r.end = *req.Date("enddate", utc, true);
  if (r.start > r.end) throw ParamError("Incorrect Date Range. Start date is after end date");
  r.reason = req.RequiredText("reason");
  if (auto type = req.Long("type")) {
    if (*type < 0 || *type > 1000 || !FindUsageType(static_cast<int>(*type))) {
      throw ParamError(fmt::format("Invalid usage type {}", *type));
    }
    r.usage_type = static_cast<int>(*type);
  }
  RegenerateScope(req, r);
  r.requester = req.caller().api_key;
  JobRunner* runner = req.services().runner;
  try {
    runner->Check(req.conn(), r);
  } catch (const InputError& e) {
    throw ParamError(e.what());
  }
  std::string uuid = req.services().jobs->Submit(
      req.conn(), req.command(), req.caller(), [runner, r](store::Connection& conn) {
        JobOutcome o = runner->Regenerate(conn, r);
        nlohmann::ordered_json result = Success(o.text);
        if (o.job_id) result["usagejobid"] = *o.job_id;
        result["windows"] = o.windows;
        result["records"] = o.records;
        return result;
      });
  return JobAccepted(req, uuid);
}

bool MaySeeJob(const Request& req, const AsyncJobRow& job) {
  const Caller& caller = req.caller();
  if (caller.role == Role::kAdmin) return true;
  if (caller.role == Role::kUser) return job.account_id == caller.account_id;
  auto domain = job.domain_id ? DomainById(req.conn(), *job.domain_id) : std::nullopt;
  return domain && domain->path.starts_with(caller.domain_path);
}

ApiResponse QueryAsyncJobResult(const Request& req) {
  std::string id = req.RequiredText("jobid");
  auto job = AsyncJobs::Find(req.conn(), id);
  if (!job) throw ParamError(fmt::format("Unable to find job by id {}", id));
  if (!MaySeeJob(req, *job)) {
    throw PermissionDenied(fmt::format("Job {} is not within the caller's scope", id));
  }
  auto account = FindAccount(req.conn(), std::to_string(job->account_id));
  ApiResponse r;
  r.name = ResponseName(req.command());
  r.body["accountid"] = account && !account->uuid.empty() ? account->uuid
                                                           : std::to_string(job->account_id);
  r.body["cmd"] = job->command;
  r.body["jobstatus"] = job->status;
  r.body["jobprocstatus"] = 0;
  r.body["jobresultcode"] = job->result_code;
  r.body["jobresulttype"] = "object";
  if (job->status != 0) r.body["jobresult"] = job->result;
  r.body["created"] = ApiDate(job->created_at);
  if (job->completed_at) r.body["completed"] = ApiDate(*job->completed_at);
  r.body["jobid"] = job->uuid;
  return r;
}

ApiResponse RemoveRawUsageRecords(const Request& req) {
  req.RequiredText("interval");
  int64_t days = *req.Long("interval");
  if (days <= 0 || days > 365 * 1000) throw ParamError("Interval should be greater than 0");
  std::unique_lock<std::mutex> gate(job::ProcessJobMutex(), std::try_to_lock);
  if (!gate.owns_lock()) {
    throw ApiError(error_code::kResourceInUse, cs_error_code::kResourceInUse,
                   "A usage job is running; remove raw usage records when it has finished");
  }
  Instant cutoff = req.services().clock->Now() - std::chrono::hours(24 * days);
  store::Connection& conn = req.conn();
  int64_t removed = 0;
  // Bounded batches: each transaction deletes at most kRemoveBatch rows, up to
  // the id of the batch's last row, so no lock is held for long.
  while (true) {
    auto last = conn.QueryInt(fmt::format("SELECT id FROM ${{usage}}.cloud_usage WHERE end_date "
                                          "< ? ORDER BY id LIMIT 1 OFFSET {}", kRemoveBatch - 1),
                              cutoff);
    store::Transaction tx(conn);
    int64_t n = last ? conn.Run("DELETE FROM ${usage}.cloud_usage WHERE end_date < ? AND id <= ?",
                                cutoff, *last)
                     : conn.Run("DELETE FROM ${usage}.cloud_usage WHERE end_date < ?", cutoff);
    tx.Commit();
    removed += n;
    if (!last) break;
  }
  ApiResponse r;
  r.name = ResponseName(req.command());
  r.body = Success(fmt::format("removed {} usage record(s) that ended before {}", removed,
                               FormatUtc(cutoff)));
  return r;
}

}  // namespace

void AddJobCommands(std::vector<CommandSpec>& out) {
  const std::vector<Role> all = {Role::kAdmin, Role::kDomainAdmin, Role::kUser};
  out.push_back({"generateUsageRecords",
                 "Bills every usage window that has ended (asynchronous)",
                 true,
                 {Role::kAdmin},
                 {{"startdate", "date", true, "Start of the range asked for"},
                  {"enddate", "date", true, "End of the range asked for"},
                  {"domainid", "uuid", false, "Accepted and ignored, as by CloudStack"}},
                 {"success", "displaytext"},
                 GenerateUsageRecords});
  out.push_back({"regenerateUsageRecords",
                 "Re-parses billed windows in a range for an account or a domain, replacing "
                 "their records (asynchronous)",
                 true,
                 all,
                 {{"startdate", "date", true, "Start of the range"},
                  {"enddate", "date", true, "End of the range"},
                  {"accountid", "uuid", false, "Only this account"},
                  {"domainid", "uuid", false, "Only the accounts of this domain and below"},
                  {"type", "long", false, "Usage type the request is about"},
                  {"reason", "string", true, "Why, recorded with the job"}},
                 {"success", "displaytext", "usagejobid", "windows", "records"},
                 RegenerateUsageRecords});
  out.push_back({"queryAsyncJobResult",
                 "Retrieves the current status of an asynchronous job",
                 false,
                 all,
                 {{"jobid", "uuid", true, "The job id"}},
                 {"accountid", "cmd", "jobstatus", "jobprocstatus", "jobresultcode",
                  "jobresulttype", "jobresult", "created", "completed", "jobid"},
                 QueryAsyncJobResult});
  out.push_back({"removeRawUsageRecords",
                 "Removes usage records that ended more than interval days ago",
                 false,
                 {Role::kAdmin},
                 {{"interval", "integer", true, "Age in days (> 0)"}},
                 {"success", "displaytext"},
                 RemoveRawUsageRecords});
}

}  // namespace usaged::api
