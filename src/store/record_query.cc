#include "store/record_query.h"

#include <fmt/format.h>

#include <variant>

namespace usaged::store {
namespace {

const std::vector<std::string>& ColumnsList() {
  static const std::vector<std::string> kColumns = {
      "id",         "zone_id",       "account_id",  "domain_id",      "description",
      "usage_display", "usage_type", "raw_usage",   "vm_instance_id", "vm_name",
      "offering_id", "template_id",  "usage_id",    "type",           "size",
      "network_id", "start_date",    "end_date",    "virtual_size",   "cpu_speed",
      "cpu_cores",  "memory",        "quota_calculated", "is_hidden", "state",
      "usage_key"};
  return kColumns;
}

constexpr std::string_view kOrder =
    " ORDER BY start_date, end_date, account_id, usage_type, usage_key, id";

using Arg = std::variant<int64_t, std::string, Instant>;

// The WHERE clause of `f` with its arguments. Domain ids are numbers and are
// inlined, so a long list does not need a parameter each.
std::string Where(const RecordFilter& f, std::vector<Arg>& args) {
  std::string sql = " WHERE 1 = 1";
  if (f.account_id) { sql += " AND account_id = ?"; args.emplace_back(*f.account_id); }
  if (f.usage_type) { sql += " AND usage_type = ?"; args.emplace_back(int64_t{*f.usage_type}); }
  if (f.start) { sql += " AND start_date >= ?"; args.emplace_back(*f.start); }
  if (f.end) { sql += " AND end_date <= ?"; args.emplace_back(*f.end); }
  if (f.usage_id) { sql += " AND usage_id = ?"; args.emplace_back(*f.usage_id); }
  if (f.keyword) { sql += " AND instr(description, ?) > 0"; args.emplace_back(*f.keyword); }
  if (f.domain_ids) {
    if (f.domain_ids->empty()) return sql + " AND 1 = 0";
    std::string ids;
    for (int64_t id : *f.domain_ids) ids += (ids.empty() ? "" : ",") + std::to_string(id);
    sql += " AND domain_id IN (" + ids + ")";
  }
  return sql;
}

Statement& Prepared(Connection& conn, const std::string& sql,
                           const std::vector<Arg>& args) {
  auto& q = conn.Prepare(sql);
  q.Reset();
  for (size_t i = 0; i < args.size(); ++i) {
    int index = static_cast<int>(i) + 1;
    std::visit([&](const auto& v) {
      using T = std::decay_t<decltype(v)>;
      if constexpr (std::is_same_v<T, int64_t>) q.BindInt(index, v);
      else if constexpr (std::is_same_v<T, std::string>) q.BindText(index, v);
      else q.BindTime(index, v);
    }, args[i]);
  }
  return q;
}

std::string SelectColumns() {
  return "SELECT " + RecordSelectList() + " FROM ${usage}.cloud_usage";
}

StoredRecord ReadRow(Statement& q) {
  StoredRecord s;
  UsageRecord& r = s.record;
  s.id = q.Int(0);
  r.zone_id = q.Int(1);
  r.account_id = q.Int(2);
  r.domain_id = q.Int(3);
  r.description = q.OptText(4).value_or("");
  r.usage_display = q.OptText(5).value_or("");
  r.usage_type = static_cast<int>(q.Int(6));
  r.raw_usage = q.IsNull(7) ? 0 : q.Double(7);
  r.vm_instance_id = q.OptInt(8);
  r.vm_name = q.OptText(9);
  r.offering_id = q.OptInt(10);
  r.template_id = q.OptInt(11);
  r.usage_id = q.OptInt(12);
  r.type = q.OptText(13);
  r.size = q.OptInt(14);
  r.network_id = q.OptInt(15);
  r.start_date = q.Time(16);
  r.end_date = q.Time(17);
  r.virtual_size = q.OptInt(18);
  r.cpu_speed = q.OptInt(19);
  r.cpu_cores = q.OptInt(20);
  r.memory = q.OptInt(21);
  r.quota_calculated = static_cast<int>(q.OptInt(22).value_or(0));
  r.is_hidden = q.OptInt(23).value_or(0) != 0;
  r.state = q.OptText(24);
  r.usage_key = q.OptText(25).value_or("");
  return s;
}

}  // namespace

const std::vector<std::string>& RecordColumns() { return ColumnsList(); }

std::string RecordSelectList(bool with_key) {
  std::string sql;
  const auto& columns = ColumnsList();
  for (size_t i = 0; i + 1 < columns.size(); ++i) sql += (i ? ", " : "") + columns[i];
  return sql + (with_key ? ", usage_key" : ", NULL");
}

StoredRecord ReadStoredRecord(Statement& q) { return ReadRow(q); }

Statement& QueryRecords(Connection& conn, const RecordFilter& f) {
  std::vector<Arg> args;
  return Prepared(conn, SelectColumns() + Where(f, args) + std::string(kOrder), args);
}

RecordPage ListRecordPage(Connection& conn, const RecordFilter& f, int64_t offset,
                          int64_t limit) {
  std::vector<Arg> args;
  std::string where = Where(f, args);
  RecordPage page;
  {
    auto& q = Prepared(conn, "SELECT count(*) FROM ${usage}.cloud_usage" + where, args);
    if (q.Next()) page.total = q.Int(0);
    q.Reset();
  }
  std::string sql = SelectColumns() + where + std::string(kOrder);
  if (limit >= 0) {
    sql += " LIMIT ? OFFSET ?";
    args.emplace_back(limit);
    args.emplace_back(offset);
  }
  auto& q = Prepared(conn, sql, args);
  while (q.Next()) page.rows.push_back(ReadRow(q));
  q.Reset();
  return page;
}

}  // namespace usaged::store
