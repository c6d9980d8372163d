#include "cli/record_query.h"

#include <fmt/format.h>

namespace usaged::cli {

ResultTable RecordTable(store::Connection& conn, const RecordFilter& f) {
  static const std::vector<std::string> kColumns = {
      "id",         "zone_id",       "account_id",  "domain_id",      "description",
      "usage_display", "usage_type", "raw_usage",   "vm_instance_id", "vm_name",
      "offering_id", "template_id",  "usage_id",    "type",           "size",
      "network_id", "start_date",    "end_date",    "virtual_size",   "cpu_speed",
      "cpu_cores",  "memory",        "quota_calculated", "is_hidden", "state",
      "usage_key"};
  std::string sql = "SELECT ";
  for (size_t i = 0; i < kColumns.size(); ++i) sql += (i ? ", " : "") + kColumns[i];
  sql += " FROM ${usage}.cloud_usage WHERE (? IS NULL OR account_id = ?) "
         "AND (? IS NULL OR usage_type = ?) AND (? IS NULL OR start_date >= ?) "
         "AND (? IS NULL OR end_date <= ?) "
         "ORDER BY start_date, end_date, account_id, usage_type, usage_key, id";
  std::optional<int64_t> type;
  if (f.usage_type) type = *f.usage_type;
  auto& q = conn.Prepare(sql).Bind(f.account_id, f.account_id, type, type, f.start, f.start,
                                   f.end, f.end);
  ResultTable table(kColumns);
  while (q.Next()) {
    std::vector<nlohmann::ordered_json> row;
    for (size_t i = 0; i < kColumns.size(); ++i) {
      const std::string& c = kColumns[i];
      if (q.IsNull(static_cast<int>(i))) {
        row.emplace_back(nullptr);
      } else if (c == "raw_usage") {
        row.emplace_back(q.Double(static_cast<int>(i)));
      } else if (c == "start_date" || c == "end_date") {
        row.emplace_back(FormatUtc(q.Time(static_cast<int>(i))));
      } else if (c == "description" || c == "usage_display" || c == "vm_name" || c == "type" ||
                 c == "state" || c == "usage_key") {
        row.emplace_back(q.Text(static_cast<int>(i)));
      } else {
        row.emplace_back(q.Int(static_cast<int>(i)));
      }
    }
    table.Add(std::move(row));
  }
  return table;
}

}  // namespace usaged::cli
