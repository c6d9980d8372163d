#include "maintain/record_checks.h"

#include <fmt/format.h>

#include <map>
#include <optional>

#include "parse/record_key.h"
#include "store/record_query.h"

namespace usaged::maintain {
namespace {

// A group of rows with one natural key in one window.
struct KeyGroup {
  int usage_type = 0;
  Instant start_date{}, end_date{};
  int64_t rows = 0;
  double hours = 0;
};

}  // namespace

bool PartsFitWindow(double hours, Instant start_date, Instant end_date) {
  const double window =
      std::chrono::duration<double>(end_date + std::chrono::seconds(1) - start_date).count() /
      3600.0;
  // CloudStack's float hours add 1 ms per row.
  return hours <= window + 1e-3;
}

int64_t CountDuplicateRecords(store::Connection& conn) {
  // The natural key holds the window, so rows are grouped one window at a
  // time: memory stays bounded by the largest window.
  int64_t surplus = 0;
  std::map<std::string, KeyGroup> groups;
  auto count_window = [&] {
    for (const auto& [key, g] : groups) {
      if (g.rows < 2) continue;
      // One resource's records of these types in one window are parts of
      // its time, not copies, as long as they fit in the window together.
      if (parse::KeyedByHelperRow(g.usage_type) && PartsFitWindow(g.hours, g.start_date,
                                                                  g.end_date)) {
        continue;
      }
      surplus += g.rows - 1;
    }
    groups.clear();
  };
  // Without the usage_key column: rows written by other software count too.
  auto& q = conn.Prepare(fmt::format("SELECT {} FROM ${{usage}}.cloud_usage ORDER BY start_date",
                                     store::RecordSelectList(/*with_key=*/false)))
                .Bind();
  std::optional<Instant> window;
  while (q.Next()) {
    const UsageRecord r = store::ReadStoredRecord(q).record;
    if (window != r.start_date) {
      count_window();
      window = r.start_date;
    }
    KeyGroup& g = groups[parse::NaturalKeyText(r)];
    g.usage_type = r.usage_type;
    g.start_date = r.start_date;
    g.end_date = r.end_date;
    ++g.rows;
    g.hours += r.raw_usage;
  }
  q.Reset();
  count_window();
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
