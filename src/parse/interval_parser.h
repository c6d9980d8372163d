#pragma once

#include <fmt/format.h>

#include <algorithm>

#include <string>
#include <string_view>

#include "parse/interval_groups.h"
#include "parse/parser.h"
#include "parse/time_record.h"

namespace usaged::parse {

// Where a family's helper rows live: a table of lifetimes [start, end).
struct HelperQuery {
  std::string_view table;         // e.g. "usage_volume"
  std::string_view start_column;  // e.g. "created"
  std::string_view end_column;    // e.g. "deleted"
  std::string_view columns;       // what ReadRow reads, e.g. "zone_id, volume_id, size"
  std::string_view extra_where;   // e.g. "AND usage_type IN (1, 2)", or ""
};

// The query of a helper table for one window and shard, in two branches (open
// rows, and rows closed inside or after the window) so that each can use the
// index on the end column. Parameters: window.next, shard_count, shard,
// window.start, window.next, shard_count, shard. Result columns: account_id,
// q.columns, start, end, id.
inline std::string WindowQuerySql(const HelperQuery& q) {
  return fmt::format("SELECT account_id, {0}, {1}, {2}, id FROM ${{usage}}.{3} WHERE {2} IS NULL "
                     "AND {1} < ? AND (account_id % ?) = ? {4} UNION ALL "
                     "SELECT account_id, {0}, {1}, {2}, id FROM ${{usage}}.{3} WHERE {2} >= ? "
                     "AND {1} < ? AND (account_id % ?) = ? {4}",
                     q.columns, q.start_column, q.end_column, q.table, q.extra_where);
}

// Number of columns in HelperQuery::columns.
inline int ColumnCount(std::string_view columns) {
  return 1 + static_cast<int>(std::count(columns.begin(), columns.end(), ','));
}

// The shape every time-based parser shares: ONE query for the scope's window
// and shard returns every helper row overlapping the window (for all the
// shard's accounts at once), rows are grouped in memory by the family's key,
// and each group becomes one record with the summed chargeable time.
template <class Info>
class IntervalParser : public UsageParser {
 public:
  using Group = typename IntervalGroups<Info>::Group;

  // One query per window and shard (see WindowQuerySql): the cost of a window
  // does not grow with the closed history behind it.
  explicit IntervalParser(const HelperQuery& q,
                          DescribedBy described_by = DescribedBy::kChargedRows)
      : sql_(WindowQuerySql(q)),
        column_count_(ColumnCount(q.columns) + 1),
        described_by_(described_by) {}

  void Parse(store::Connection& conn, const ParseScope& scope,
             std::vector<UsageRecord>& out) const final {
    IntervalGroups<Info> groups(scope.window, scope.hours_mode, described_by_);
    auto& q = conn.Prepare(sql_).Bind(scope.window.next, scope.shard_count, scope.shard,
                                      scope.window.start, scope.window.next, scope.shard_count,
                                      scope.shard);
    while (q.Next()) {
      int64_t account = q.Int(0);
      const store::AccountRef* billable = scope.Billable(account);
      if (!billable) continue;
      Info info;
      std::string key = fmt::format("{}-{}", account, ReadRow(q, info));
      groups.Add(key, account, billable->domain_id, q.Time(column_count_),
                 q.OptTime(column_count_ + 1), q.Int(column_count_ + 2), info);
    }
    for (const auto& [key, g] : groups.groups()) {
      if (g.millis <= 0) continue;
      UsageRecord r = NewTimeRecord(RecordType(g), g.account_id, g.domain_id, ZoneOf(g), g.millis,
                                    scope.window, scope.hours_mode);
      Describe(g, r);
      Finish(r);
      out.push_back(std::move(r));
    }
  }

 protected:
  // Reads the row's `columns` (statement columns 1..n) into `info` and returns
  // the row's grouping key within its account.
  virtual std::string ReadRow(store::Statement& q, Info& info) const = 0;
  virtual int RecordType(const Group& g) const = 0;
  virtual int64_t ZoneOf(const Group& g) const = 0;
  // Sets the record's type-specific columns and description.
  virtual void Describe(const Group& g, UsageRecord& r) const = 0;

  static std::string KeyPart(const std::optional<int64_t>& v) {
    return v ? std::to_string(*v) : "null";
  }

 private:
  std::string sql_;
  int column_count_;  // index of the start column in the result
  DescribedBy described_by_;
};

}  // namespace usaged::parse
