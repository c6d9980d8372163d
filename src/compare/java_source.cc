#include "compare/java_source.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "compare/record_identity.h"
#include "core/error.h"
#include "store/record_query.h"

namespace usaged::compare {

JavaSource::JavaSource(store::Connection& conn) : conn_(conn) {
  auto& q = conn_.Prepare(
      "SELECT start_millis, end_millis FROM ${usage}.usage_job WHERE success = 1 AND "
      "end_millis > 0 AND start_millis <= end_millis");
  while (q.Next()) jobs_.emplace_back(q.Int(0), q.Int(1));
  q.Reset();
}

std::vector<JavaRow> JavaSource::Records(const Window& w, int shard, int shard_count,
                                         const CompareScope& scope) {
  std::string sql = "SELECT " + store::RecordSelectList(/*with_key=*/false) +
                    " FROM ${usage}.cloud_usage WHERE start_date >= ? AND start_date < ?";
  if (shard_count > 1) sql += fmt::format(" AND (account_id % {}) = {}", shard_count, shard);
  if (scope.usage_type) sql += fmt::format(" AND usage_type = {}", *scope.usage_type);
  if (scope.accounts) {
    if (scope.accounts->empty()) return {};
    std::string ids;
    for (int64_t id : *scope.accounts) ids += (ids.empty() ? "" : ",") + std::to_string(id);
    sql += " AND account_id IN (" + ids + ")";
  }
  // The start_date index holds this order: the first row written of a
  // record comes first, its copies after it.
  sql += " ORDER BY start_date, id";
  auto& q = conn_.Prepare(sql).Bind(w.start, w.next);
  std::vector<JavaRow> out;
  while (q.Next()) {
    store::StoredRecord s = store::ReadStoredRecord(q);
    out.push_back({s.id, std::move(s.record)});
  }
  q.Reset();
  return out;
}

int JavaSource::JobsCovering(const Window& w) const {
  const int64_t next = ToEpochMillis(w.next);
  const int64_t last = ToEpochMillis(w.last_millisecond());
  int n = 0;
  for (const auto& [start, end] : jobs_) {
    if (start < next && end >= last) ++n;
  }
  return n;
}

std::optional<Instant> JavaSource::BilledUntil() const {
  std::optional<int64_t> end;
  for (const auto& job : jobs_) end = std::max(end.value_or(job.second), job.second);
  if (!end) return std::nullopt;
  return FromEpochMillis(*end);
}

std::vector<HelperRow> JavaSource::HelperRows(const UsageRecord& r, const Window& w) {
  // Only an explanation: a helper table an older CloudStack does not have
  // (usage_networks, usage_vpc before 4.19.1) leaves the difference
  // unexplained rather than stopping the comparison.
  try {
    return LoadHelperRows(conn_, r, w);
  } catch (const DbError& e) {
    spdlog::debug("compare: the Java server's helper rows of usage type {}: {}", r.usage_type,
                  e.what());
    return {};
  }
}

std::vector<HelperRow> LoadHelperRows(store::Connection& conn, const UsageRecord& r,
                                      const Window& w) {
  auto rows = ResourceRowsOf(r);
  if (!rows) return {};
  std::string sql = fmt::format("SELECT {}, {}, {} FROM ${{usage}}.{} WHERE {} < ? AND ({} IS NULL "
                                "OR {} >= ?)",
                                rows->id_column, rows->start_column, rows->end_column,
                                rows->table, rows->start_column, rows->end_column,
                                rows->end_column);
  // Values are bound, so each type's statement is prepared once.
  for (const auto& f : rows->int_filters) sql += fmt::format(" AND {} = ?", f.first);
  for (const auto& f : rows->text_filters) sql += fmt::format(" AND {} = ?", f.first);
  sql += " ORDER BY " + rows->start_column + ", " + rows->id_column;
  auto& q = conn.Prepare(sql);
  q.BindTime(1, w.next);
  q.BindTime(2, w.start);
  int index = 3;
  for (const auto& f : rows->int_filters) q.BindInt(index++, f.second);
  for (const auto& f : rows->text_filters) q.BindText(index++, f.second);
  std::vector<HelperRow> out;
  while (q.Next()) out.push_back({q.Int(0), q.Time(1), q.OptTime(2)});
  q.Reset();
  return out;
}

}  // namespace usaged::compare
