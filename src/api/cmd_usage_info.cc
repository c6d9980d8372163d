// Commands that describe usaged: usage types, jobs, server status and the
// command list itself.
#include <fmt/format.h>

#include "api/command.h"
#include "api/scope.h"
#include "api/status.h"
#include "core/timezone.h"
#include "core/usage_types.h"
#include "job/job_log.h"

namespace usaged::api {
namespace {

ApiResponse ListUsageTypes(const Request& req) {
  nlohmann::ordered_json items = nlohmann::ordered_json::array();
  for (const auto& t : AllUsageTypes()) {
    items.push_back({{"id", t.id}, {"name", t.name}, {"description", t.description}});
  }
  int64_t n = static_cast<int64_t>(items.size());
  return ListResponse(req.command(), "usagetype", std::move(items), n);
}

// The SQL condition limiting usaged_job rows to the caller's scope.
std::string JobScope(const Request& req) {
  const Caller& caller = req.caller();
  if (caller.role == Role::kAdmin) return "";
  if (caller.role == Role::kUser) {
    return fmt::format(" AND scope_account_id = {}", caller.account_id);
  }
  std::vector<int64_t> domains = DomainSubtree(req.conn(), caller.domain_path);
  std::string d;
  for (int64_t id : domains) d += (d.empty() ? "" : ",") + std::to_string(id);
  std::string a;
  for (int64_t id : AccountsInDomains(req.conn(), domains)) {
    a += (a.empty() ? "" : ",") + std::to_string(id);
  }
  if (d.empty()) return " AND 1 = 0";
  return fmt::format(" AND (scope_domain_id IN ({}){})", d,
                     a.empty() ? "" : fmt::format(" OR scope_account_id IN ({})", a));
}

nlohmann::ordered_json JobJson(store::Statement& q) {
  nlohmann::ordered_json j;
  std::string kind = q.Text(1);
  std::string state = q.Text(2);
  j["id"] = q.Int(0);
  j["usageserver"] = q.OptText(14).value_or("");
  j["jobtype"] = kind == "RUN" ? 0 : 1;
  j["scheduled"] = kind == "RUN" ? 1 : 0;
  if (auto t = q.OptTime(8)) j["startdate"] = ApiDate(*t);
  if (auto t = q.OptTime(9)) j["enddate"] = ApiDate(*t);
  Instant created = q.Time(15);
  auto finished = q.OptTime(16);
  if (finished) {
    j["executiontime"] = std::chrono::duration_cast<Millis>(*finished - created).count();
  }
  j["success"] = state == "SUCCEEDED";
  j["kind"] = kind;
  j["state"] = state;
  if (auto v = q.OptInt(3)) j["scopeaccountid"] = *v;
  if (auto v = q.OptInt(4)) j["scopedomainid"] = *v;
  if (auto v = q.OptInt(5)) j["usagetype"] = *v;
  if (auto v = q.OptText(6)) j["reason"] = *v;
  j["unitstotal"] = q.Int(10);
  j["unitsdone"] = q.Int(11);
  j["unitsfailed"] = q.Int(12);
  j["records"] = q.Int(13);
  j["created"] = ApiDate(created);
  if (finished) j["finished"] = ApiDate(*finished);
  if (auto v = q.OptText(17)) j["error"] = *v;
  return j;
}

ApiResponse ListUsageJobs(const Request& req) {
  const TimeZone utc = TimeZone::Utc();
  std::string where = " WHERE 1 = 1" + JobScope(req);
  std::vector<std::string> text_args;
  std::vector<Instant> time_args;
  auto upper = [](std::string v) {
    for (char& c : v) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    return v;
  };
  if (auto kind = req.Text("kind")) { where += " AND kind = ?"; text_args.push_back(upper(*kind)); }
  if (auto state = req.Text("state")) { where += " AND state = ?"; text_args.push_back(upper(*state)); }
  if (auto host = req.Text("usageserver")) { where += " AND host = ?"; text_args.push_back(*host); }
  if (auto t = req.Date("startdate", utc, false)) { where += " AND created_at >= ?"; time_args.push_back(*t); }
  if (auto t = req.Date("enddate", utc, true)) { where += " AND created_at <= ?"; time_args.push_back(*t); }
  if (auto hours = req.Long("duration")) {
    if (*hours <= 0 || *hours > 24 * 366 * 100) throw ParamError("duration must be positive hours");
    where += " AND created_at >= ?";
    time_args.push_back(req.services().clock->Now() - std::chrono::hours(*hours));
  }
  int64_t size = req.Long("pagesize").value_or(500);
  int64_t page = req.Long("page").value_or(1);
  if (size < 1 || size > 500 || page < 1 || page > 1'000'000) {
    throw ParamError("page must be >= 1 and pagesize between 1 and 500");
  }
  auto bind = [&](store::Statement& q) {
    q.Reset();
    int i = 1;
    for (const auto& t : text_args) q.BindText(i++, t);
    for (const auto& t : time_args) q.BindTime(i++, t);
    return i;
  };
  auto& count = req.conn().Prepare("SELECT count(*) FROM ${usage}.usaged_job" + where);
  bind(count);
  int64_t total = count.Next() ? count.Int(0) : 0;
  count.Reset();
  auto& q = req.conn().Prepare(
      "SELECT id, kind, state, scope_account_id, scope_domain_id, scope_usage_type, reason, "
      "requester, range_start, range_end, units_total, units_done, units_failed, records, host, "
      "created_at, finished_at, error FROM ${usage}.usaged_job" + where +
      " ORDER BY id DESC LIMIT ? OFFSET ?");
  int next = bind(q);
  q.BindInt(next, size);
  q.BindInt(next + 1, (page - 1) * size);
  nlohmann::ordered_json items = nlohmann::ordered_json::array();
  while (q.Next()) items.push_back(JobJson(q));
  q.Reset();
  return ListResponse(req.command(), "usagejob", std::move(items), total);
}

ApiResponse ListUsageServerMetrics(const Request& req) {
  Instant now = req.services().clock->Now();
  ServerStatus s = ReadStatus(req.conn(), now, req.services().max_lag_seconds);
  nlohmann::ordered_json m;
  m["hostname"] = job::HostName();
  m["state"] = s.lag_seconds <= s.max_lag_seconds ? "Up" : "Down";
  if (s.last_run) m["lastheartbeat"] = ApiDate(*s.last_run);
  if (s.last_success_end) m["lastsuccessfuljob"] = ApiDate(*s.last_success_end);
  m["collectiontime"] = ApiDate(now);
  if (s.checkpoint) m["checkpoint"] = ApiDate(*s.checkpoint);
  m["lagseconds"] = s.lag_seconds;
  if (s.last_run_state) m["lastrunstate"] = *s.last_run_state;
  m["pendingunits"] = s.pending_units;
  m["pendingevents"] = s.events_pending;
  m["quarantined"] = s.quarantined;
  ApiResponse r;
  r.name = ResponseName(req.command());
  r.body["usageMetrics"] = std::move(m);
  return r;
}

ApiResponse ListApis(const Request& req) {
  auto name = req.Text("name");
  nlohmann::ordered_json items = nlohmann::ordered_json::array();
  for (const auto& c : AllCommands()) {
    if (!c.Allows(req.caller().role)) continue;
    if (name && *name != c.name) continue;
    nlohmann::ordered_json params = nlohmann::ordered_json::array();
    for (const auto& p : c.params) {
      params.push_back({{"name", p.name}, {"description", p.description}, {"type", p.type},
                        {"length", 255}, {"required", p.required}});
    }
    nlohmann::ordered_json response = nlohmann::ordered_json::array();
    for (const auto& f : c.response_fields) response.push_back({{"name", f}});
    items.push_back({{"name", c.name}, {"description", c.description}, {"isasync", c.is_async},
                     {"related", ""}, {"params", std::move(params)},
                     {"response", std::move(response)}});
  }
  int64_t n = static_cast<int64_t>(items.size());
  return ListResponse(req.command(), "api", std::move(items), n);
}

}  // namespace

void AddInfoCommands(std::vector<CommandSpec>& out) {
  const std::vector<Role> all = {Role::kAdmin, Role::kDomainAdmin, Role::kUser};
  out.push_back({"listUsageTypes", "List Usage Types", false, all, {},
                 {"id", "name", "description"}, ListUsageTypes});
  out.push_back({"listUsageJobs",
                 "Lists usage jobs: kind, state, scope, reason and progress",
                 false,
                 all,
                 {{"kind", "string", false, "RUN, RESTATE, GENERATE, REGENERATE, CLEANUP or REPAIR (any case)"},
                  {"state", "string", false, "RUNNING, SUCCEEDED, FAILED or INTERRUPTED (any case)"},
                  {"startdate", "date", false, "Jobs created on or after"},
                  {"enddate", "date", false, "Jobs created on or before"},
                  {"usageserver", "string", false, "Host that ran the job"},
                  {"duration", "integer", false, "Jobs created in the last N hours"},
                  {"page", "integer", false, "Page number"},
                  {"pagesize", "integer", false, "Jobs per page (max 500)"}},
                 {"id", "usageserver", "jobtype", "scheduled", "startdate", "enddate",
                  "executiontime", "success", "kind", "state", "scopeaccountid", "scopedomainid",
                  "usagetype", "reason", "unitstotal", "unitsdone", "unitsfailed", "records",
                  "created", "finished", "error"},
                 ListUsageJobs});
  out.push_back({"listUsageServerMetrics",
                 "Lists the usage server's state: last run, checkpoint and lag",
                 false,
                 {Role::kAdmin},
                 {},
                 {"hostname", "state", "lastheartbeat", "lastsuccessfuljob", "collectiontime",
                  "checkpoint", "lagseconds", "lastrunstate", "pendingunits", "pendingevents",
                  "quarantined"},
                 ListUsageServerMetrics});
  out.push_back({"listApis",
                 "Lists the commands this server offers to the caller",
                 false,
                 all,
                 {{"name", "string", false, "Only this command"}},
                 {"name", "description", "isasync", "related", "params", "response"},
                 ListApis});
}

}  // namespace usaged::api
