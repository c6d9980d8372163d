// The job commands: generate and regenerate (asynchronous), the query of an
// asynchronous job, the job list and the removal of old records.
#include <fmt/format.h>
#include <fmt/ranges.h>

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

// Submits a GENERATE or REGENERATE job for `r` after checking it (431 for a
// range that is not billed, not aligned or overlapping a running job).
ApiResponse SubmitRebuild(const Request& req, RegenerateRequest r) {
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

// The scope of a rebuild, from the parameters and the caller: one account,
// one domain subtree, or (root admin only) everything. Without accountid or
// domainid a domain admin's is its own domain and the domains below.
void RebuildScope(const Request& req, RegenerateRequest& r) {
  const Caller& caller = req.caller();
  if (auto id = req.Text("accountid")) {
    r.scope_account_id = AccountInScope(req.conn(), caller, *id).id;
  } else if (auto domain = req.Text("domainid")) {
    r.scope_domain_id = DomainInScope(req.conn(), caller, *domain).id;
  } else if (caller.role == Role::kUser) {
    r.scope_account_id = caller.account_id;
  } else if (caller.role == Role::kDomainAdmin) {
    r.scope_domain_id = caller.domain_id;
  }
}

ApiResponse GenerateUsageRecords(const Request& req) {
  const TimeZone utc = TimeZone::Utc();
  req.RequiredText("startdate");
  req.RequiredText("enddate");
  auto start = req.Date("startdate", utc, false);
  auto end = req.Date("enddate", utc, true);
  if (*start > *end) throw ParamError("Incorrect Date Range. Start date is after end date");
  if (req.caller().role != Role::kAdmin) {
    // A domain admin may not bill other domains' accounts: it fills in the
    // missing records of the range within its subtree instead.
    RegenerateRequest r;
    r.fill_missing = true;
    r.start = *start;
    r.end = *end;
    if (auto id = req.Text("domainid")) {
      r.scope_domain_id = DomainInScope(req.conn(), req.caller(), *id).id;
    } else {
      r.scope_domain_id = req.caller().domain_id;
    }
    return SubmitRebuild(req, r);
  }
  JobRunner* runner = req.services().runner;
  std::string requester = req.caller().api_key;
  std::string uuid = req.services().jobs->Submit(
      req.conn(), req.command(), req.caller(), [runner, requester](store::Connection& conn) {
        return Success(runner->Generate(conn, requester).text);
      });
  return JobAccepted(req, uuid);
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
  RebuildScope(req, r);
  return SubmitRebuild(req, r);
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
  // Someone else's job is refused as one that does not exist.
  if (!job || !MaySeeJob(req, *job)) throw NotInScope("Job", id);
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
  // The domains whose records go: a root admin's are all (or domainid's
  // subtree), a domain admin's its subtree (or that of a domain within it).
  std::string in_scope;
  const Caller& caller = req.caller();
  std::optional<std::string> subtree;
  if (auto id = req.Text("domainid")) {
    subtree = DomainInScope(req.conn(), caller, *id).path;
  } else if (caller.role != Role::kAdmin) {
    subtree = caller.domain_path;
  }
  if (subtree) {
    std::vector<int64_t> ids = DomainSubtree(req.conn(), *subtree);
    in_scope = fmt::format(" AND domain_id IN ({})", fmt::join(ids, ","));
  }
  Instant cutoff = req.services().clock->Now() - std::chrono::hours(24 * days);
  store::Connection& conn = req.conn();
  int64_t removed = 0;
  // Bounded batches: each transaction deletes at most kRemoveBatch rows, up to
  // the id of the batch's last row, so no lock is held for long.
  while (true) {
    auto last = conn.QueryInt(fmt::format("SELECT id FROM ${{usage}}.cloud_usage WHERE end_date "
                                          "< ?{} ORDER BY id LIMIT 1 OFFSET {}",
                                          in_scope, kRemoveBatch - 1),
                              cutoff);
    store::Transaction tx(conn);
    const std::string remove = "DELETE FROM ${usage}.cloud_usage WHERE end_date < ?" + in_scope;
    int64_t n = last ? conn.Run(remove + " AND id <= ?", cutoff, *last) : conn.Run(remove, cutoff);
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
  // Billing records are rewritten by operators only: root and domain admins.
  const std::vector<Role> operators = {Role::kAdmin, Role::kDomainAdmin};
  out.push_back({"generateUsageRecords",
                 "Bills every usage window that has ended; for a domain admin, writes the "
                 "missing records of its domains in the range (asynchronous)",
                 true,
                 operators,
                 {{"startdate", "date", true, "Start of the range asked for"},
                  {"enddate", "date", true, "End of the range asked for"},
                  {"domainid", "uuid", false,
                   "Domain admins: only this domain and below; ignored for the root admin, as "
                   "by CloudStack"}},
                 {"success", "displaytext", "usagejobid", "windows", "records"},
                 GenerateUsageRecords});
  out.push_back({"regenerateUsageRecords",
                 "Re-parses billed windows in a range for an account or a domain, replacing "
                 "their records (asynchronous)",
                 true,
                 operators,
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
                 operators,
                 {{"interval", "integer", true, "Age in days (> 0)"},
                  {"domainid", "uuid", false, "Only the records of this domain and below"}},
                 {"success", "displaytext"},
                 RemoveRawUsageRecords});
}

}  // namespace usaged::api
