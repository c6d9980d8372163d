#include "maintain/record_checks.h"

#include <fmt/format.h>

#include "parse/record_key.h"

namespace usaged::maintain {
namespace {

// The description is part of it: a VPN user's name is only there.
constexpr std::string_view kIdentity =
    "account_id, usage_type, zone_id, usage_id, vm_instance_id, offering_id, template_id, size, "
    "cpu_cores, cpu_speed, memory, network_id, state, description, start_date, end_date";

// The types whose records are one per helper row, as an SQL list.
std::string PerRowTypes() {
  std::string out;
  for (int type : parse::TypesKeyedByHelperRow()) {
    out += (out.empty() ? "" : ", ") + std::to_string(type);
  }
  return out;
}

}  // namespace

bool PartsFitWindow(double hours, Instant start_date, Instant end_date) {
  const double window =
      std::chrono::duration<double>(end_date + std::chrono::seconds(1) - start_date).count() /
      3600.0;
  // CloudStack's float hours add 1 ms per row.
  return hours <= window + 1e-3;
}

int64_t CountDuplicateRecords(store::Connection& conn) {
  const std::string per_row = PerRowTypes();
  int64_t surplus =
      conn.QueryInt(fmt::format(
                        "SELECT coalesce(sum(n - 1), 0) FROM (SELECT count(*) AS n FROM "
                        "${{usage}}.cloud_usage WHERE usage_type NOT IN ({}) GROUP BY {} HAVING "
                        "count(*) > 1) d",
                        per_row, kIdentity))
          .value_or(0);
  // One resource's records of these types in one window are parts of its
  // time, not copies, as long as they fit in the window together.
  auto& q = conn.Prepare(fmt::format(
      "SELECT count(*), sum(raw_usage), start_date, end_date FROM ${{usage}}.cloud_usage WHERE "
      "usage_type IN ({}) GROUP BY {} HAVING count(*) > 1",
      per_row, kIdentity));
  while (q.Next()) {
    if (!PartsFitWindow(q.Double(1), q.Time(2), q.Time(3))) surplus += q.Int(0) - 1;
  }
  q.Reset();
  return surplus;
}

int64_t CountNetworkOfferingDuplicates(store::Connection& conn) {
  return conn
      .QueryInt(
          "SELECT coalesce(sum(n - 1), 0) FROM (SELECT count(*) AS n FROM ${usage}.cloud_usage "
          "WHERE usage_type = 13 GROUP BY vm_instance_id, offering_id, usage_type, start_date, "
          "end_date, raw_usage HAVING count(*) > 1) d")
      .value_or(0);
}

}  // namespace usaged::maintain
