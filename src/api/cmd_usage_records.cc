// listUsageRecords: cloud_usage rows in the caller's scope, CloudStack's way.
#include <fmt/format.h>

#include <charconv>
#include <cmath>
#include <map>

#include "api/command.h"
#include "api/scope.h"
#include "store/record_query.h"
#include "core/error.h"
#include "core/usage_types.h"
#include "job/usage_run.h"
#include "store/configuration.h"

namespace usaged::api {
namespace {

constexpr int64_t kDefaultMaxPageSize = 500;
constexpr int64_t kMaxPage = 1'000'000'000;

// raw_usage as CloudStack prints it (DecimalFormat "###########.######"):
// at most six decimals, no trailing zeros.
std::string RawUsageText(double v) {
  std::string s = fmt::format("{:.6f}", v);
  while (s.back() == '0') s.pop_back();
  if (s.back() == '.') s.pop_back();
  if (s == "-0") s = "0";
  return s;
}

int64_t MaxPageSize(store::Connection& conn) {
  auto v = store::Configuration(conn).Get("default.page.size");
  int64_t n = 0;
  if (v && std::from_chars(v->data(), v->data() + v->size(), n).ec == std::errc() && n > 0) {
    return n;
  }
  return kDefaultMaxPageSize;
}

// The page's offset and limit from page/pagesize, as BaseListCmd checks them.
std::pair<int64_t, int64_t> Paging(const Request& req) {
  int64_t max = MaxPageSize(req.conn());
  int64_t size = req.Long("pagesize").value_or(max);
  if (size != -1 && (size < 1 || size > max)) {
    throw ParamError(fmt::format("Page size can't exceed max allowed page size value: {}", max));
  }
  int64_t page = req.Long("page").value_or(1);
  if (page < 1 || page > kMaxPage) {
    throw ParamError(fmt::format("Invalid value {} for parameter page", page));
  }
  if (size == -1) return {0, -1};
  return {(page - 1) * size, size};
}

std::optional<AccountRow> ProjectAccount(const Request& req, const std::string& project) {
  // Projects live in CloudStack's cloud.projects; an embedded store may lack it.
  try {
    auto& q = req.conn().Prepare("SELECT project_account_id FROM ${cloud}.projects WHERE uuid = ? "
                                 "OR CAST(id AS CHAR) = ?");
    q.Bind(project, project);
    std::optional<int64_t> id;
    if (q.Next()) id = q.OptInt(0);
    q.Reset();
    if (id) return FindAccount(req.conn(), std::to_string(*id));
  } catch (const DbError&) {
  }
  return std::nullopt;
}

// The account the parameters name, if any (accountid, projectid, or account
// by name within domainid or the caller's domain), checked against the
// caller's scope: one it may not see is refused as one that does not exist.
std::optional<AccountRow> NamedAccount(const Request& req) {
  const Caller& caller = req.caller();
  if (auto id = req.Text("accountid")) return AccountInScope(req.conn(), caller, *id);
  if (auto project = req.Text("projectid")) {
    auto a = ProjectAccount(req, *project);
    auto domain = a ? DomainById(req.conn(), a->domain_id) : std::nullopt;
    if (!domain || !MaySee(caller, a->id, domain->path)) throw NotInScope("Project", *project);
    return a;
  }
  if (auto name = req.Text("account")) {
    int64_t domain = caller.domain_id;
    if (auto d = req.Text("domainid")) domain = DomainInScope(req.conn(), caller, *d).id;
    return AccountByNameInScope(req.conn(), caller, *name, domain);
  }
  return std::nullopt;
}

void ApplyScope(const Request& req, store::RecordFilter& f) {
  const Caller& caller = req.caller();
  if (auto account = NamedAccount(req)) {
    f.account_id = account->id;
    return;
  }
  if (auto d = req.Text("domainid")) {
    DomainRow domain = DomainInScope(req.conn(), caller, *d);
    if (caller.role == Role::kUser) {
      // Its own domain: a user still sees only its own account there.
      f.account_id = caller.account_id;
    } else if (req.Bool("isrecursive").value_or(false)) {
      f.domain_ids = DomainSubtree(req.conn(), domain.path);
    } else {
      f.domain_ids = std::vector<int64_t>{domain.id};
    }
    return;
  }
  if (caller.role == Role::kUser) f.account_id = caller.account_id;
  if (caller.role == Role::kDomainAdmin) f.domain_ids = DomainSubtree(req.conn(), caller.domain_path);
}

struct Names {
  std::map<int64_t, std::optional<AccountRow>> accounts;
  std::map<int64_t, std::optional<DomainRow>> domains;
};

nlohmann::ordered_json RecordJson(const Request& req, const store::StoredRecord& s, Names& names) {
  const UsageRecord& r = s.record;
  auto& account = names.accounts[r.account_id];
  if (!account) account = FindAccount(req.conn(), std::to_string(r.account_id));
  auto& domain = names.domains[r.domain_id];
  if (!domain) domain = DomainById(req.conn(), r.domain_id);
  nlohmann::ordered_json j;
  j["account"] = account ? account->name : "";
  j["accountid"] = account && !account->uuid.empty() ? account->uuid : std::to_string(r.account_id);
  j["domainid"] = domain && !domain->uuid.empty() ? domain->uuid : std::to_string(r.domain_id);
  if (domain) {
    j["domain"] = domain->name;
    j["domainpath"] = domain->path;
  }
  j["zoneid"] = std::to_string(r.zone_id);
  j["description"] = r.description;
  j["usage"] = r.usage_display;
  j["usagetype"] = r.usage_type;
  j["rawusage"] = RawUsageText(r.raw_usage);
  auto id_text = [&](const char* key, const std::optional<int64_t>& v) {
    if (v) j[key] = std::to_string(*v);
  };
  id_text("virtualmachineid", r.vm_instance_id);
  if (r.vm_name) j["name"] = *r.vm_name;
  id_text("offeringid", r.offering_id);
  id_text("templateid", r.template_id);
  id_text("usageid", r.usage_id);
  if (r.type) j["type"] = *r.type;
  if (r.size) j["size"] = *r.size;
  if (r.virtual_size) j["virtualsize"] = *r.virtual_size;
  if (r.cpu_cores) j["cpunumber"] = *r.cpu_cores;
  if (r.cpu_speed) j["cpuspeed"] = *r.cpu_speed;
  if (r.memory) j["memory"] = *r.memory;
  j["startdate"] = ApiDate(r.start_date);
  j["enddate"] = ApiDate(r.end_date);
  if (r.usage_type == usage_type::kIpAddress) {
    j["issourcenat"] = r.type && *r.type == "SourceNat";
    j["issystem"] = r.size && *r.size == 1;
  }
  id_text("networkid", r.network_id);
  if (r.usage_type == usage_type::kNetworkOffering) j["isdefault"] = r.usage_id == 1;
  // Not in CloudStack's response, but part of a NETWORK record's natural key:
  // without it two records of one network in one window (before and after a
  // state change) look alike. Every other key field is a field above.
  if (r.state) j["state"] = *r.state;
  j["tags"] = nlohmann::ordered_json::array();
  return j;
}

ApiResponse ListUsageRecords(const Request& req) {
  const TimeZone zone = job::LoadAggregationZone(req.conn());
  req.RequiredText("startdate");
  req.RequiredText("enddate");
  store::RecordFilter f;
  f.start = req.Date("startdate", zone, /*end_of_day=*/false);
  f.end = req.Date("enddate", zone, /*end_of_day=*/true);
  if (*f.start > *f.end) {
    throw ParamError(fmt::format("Incorrect Date Range. Start date: {} is after end date: {}",
                                 *req.Text("startdate"), *req.Text("enddate")));
  }
  if (auto type = req.Long("type")) {
    if (*type < 0 || *type > 1000) throw ParamError(fmt::format("Invalid usage type {}", *type));
    f.usage_type = static_cast<int>(*type);
  }
  if (req.Text("usageid")) {
    if (!f.usage_type) throw ParamError("Usageid must be specified together with usageType");
    f.usage_id = req.Long("usageid");
  }
  f.keyword = req.Text("keyword");
  ApplyScope(req, f);
  auto [offset, limit] = Paging(req);
  store::RecordPage page = store::ListRecordPage(req.conn(), f, offset, limit);
  Names names;
  nlohmann::ordered_json items = nlohmann::ordered_json::array();
  for (const auto& row : page.rows) items.push_back(RecordJson(req, row, names));
  return ListResponse(req.command(), "usagerecord", std::move(items), page.total);
}

}  // namespace

void AddRecordCommands(std::vector<CommandSpec>& out) {
  CommandSpec c;
  c.name = "listUsageRecords";
  c.description = "Lists usage records for accounts";
  c.roles = {Role::kAdmin, Role::kDomainAdmin, Role::kUser};
  c.params = {
      {"startdate", "date", true, "Start of the range (\"yyyy-MM-dd\" or \"yyyy-MM-dd HH:mm:ss\")"},
      {"enddate", "date", true, "End of the range; a date alone means its last second"},
      {"account", "string", false, "Account name (within domainid, or the caller's domain)"},
      {"accountid", "uuid", false, "Account uuid or id"},
      {"domainid", "uuid", false, "Domain uuid or id"},
      {"isrecursive", "boolean", false, "With domainid: the domains below it too"},
      {"projectid", "uuid", false, "Project uuid or id"},
      {"type", "long", false, "Usage type id"},
      {"usageid", "string", false, "Resource id; only together with type"},
      {"includetags", "boolean", false, "Accepted; tags are always listed (empty)"},
      {"oldformat", "boolean", false, "Accepted; descriptions are always the stored ones"},
      {"keyword", "string", false, "Only records whose description contains it"},
      {"page", "integer", false, "Page number, from 1"},
      {"pagesize", "integer", false, "Records per page (-1: all)"},
  };
  c.response_fields = {"account", "accountid", "domainid", "domain", "domainpath", "zoneid",
                       "description", "usage", "usagetype", "rawusage", "virtualmachineid",
                       "name", "offeringid", "templateid", "usageid", "type", "size",
                       "virtualsize", "cpunumber", "cpuspeed", "memory", "startdate", "enddate",
                       "issourcenat", "issystem", "networkid", "isdefault", "state", "tags"};
  c.run = ListUsageRecords;
  out.push_back(std::move(c));
}

}  // namespace usaged::api
