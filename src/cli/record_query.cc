#include "cli/record_query.h"

#include "store/record_query.h"

namespace usaged::cli {

ResultTable RecordTable(store::Connection& conn, const RecordFilter& f) {
  const auto& columns = store::RecordColumns();
  auto& q = store::QueryRecords(conn, f);
  ResultTable table(columns);
  while (q.Next()) {
    std::vector<nlohmann::ordered_json> row;
    for (size_t i = 0; i < columns.size(); ++i) {
      const std::string& c = columns[i];
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
