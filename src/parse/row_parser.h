#pragma once

#include <algorithm>
#include <optional>
#include <vector>

#include "parse/interval_parser.h"

namespace usaged::parse {

// For the types whose CloudStack parser writes one record per helper row and
// dates the record with the row's own time inside the window (VM_SNAPSHOT,
// VM_SNAPSHOT_ON_PRIMARY): start_date = max(created, window start), end_date =
// the row's end if it falls inside the window, else the window's end. Like
// IntervalParser it runs ONE query per window and shard.
template <class Info>
class RowParser : public UsageParser {
 public:
  struct Row {
    int64_t account_id = 0;
    int64_t domain_id = 0;
    Instant created{};
    std::optional<Instant> end;
    Info info;
  };

  explicit RowParser(const HelperQuery& q)
      : sql_(WindowQuerySql(q)), column_count_(ColumnCount(q.columns) + 1) {}

  void Parse(store::Connection& conn, const ParseScope& scope,
             std::vector<UsageRecord>& out) const final {
    std::vector<Row> rows;
    auto& q = conn.Prepare(sql_).Bind(scope.window.next, scope.shard_count, scope.shard,
                                      scope.window.start, scope.window.next, scope.shard_count,
                                      scope.shard);
    while (q.Next()) {
      const store::AccountRef* billable = scope.Billable(q.Int(0));
      if (!billable) continue;
      Row row;
      row.account_id = q.Int(0);
      row.domain_id = billable->domain_id;
      ReadRow(q, row.info);
      row.created = q.Time(column_count_);
      row.end = q.OptTime(column_count_ + 1);
      rows.push_back(std::move(row));
    }
    q.Reset();
    std::stable_sort(rows.begin(), rows.end(),
                     [](const Row& a, const Row& b) { return a.created < b.created; });
    SettleEnds(rows);
    for (const Row& row : rows) {
      if (!Bills(row, scope.window)) continue;
      int64_t ms = ChargeableMillis(row.created, row.end, scope.window, scope.hours_mode);
      if (ms <= 0) continue;
      UsageRecord r = NewTimeRecord(RecordType(), row.account_id, row.domain_id,
                                    ZoneOf(row.info), ms, scope.window, scope.hours_mode);
      r.start_date = std::max(row.created, scope.window.start);
      if (row.end && *row.end < scope.window.next) r.end_date = *row.end;
      Describe(rows, row, r);
      Finish(r);
      out.push_back(std::move(r));
    }
  }

 protected:
  // Reads the row's `columns` (statement columns 1..n) into `info`.
  virtual void ReadRow(store::Statement& q, Info& info) const = 0;
  virtual int RecordType() const = 0;
  virtual int64_t ZoneOf(const Info& info) const = 0;
  // Lets a family correct the rows' ends (rows ordered by created) before
  // they are billed and described.
  virtual void SettleEnds(std::vector<Row>&) const {}
  // False for a row that gives no record in `window`.
  virtual bool Bills(const Row&, const Window&) const { return true; }
  // Sets the record's type-specific columns and description; `all` holds
  // every row the window's query returned, ordered by created.
  virtual void Describe(const std::vector<Row>& all, const Row& row, UsageRecord& r) const = 0;

 private:
  std::string sql_;
  int column_count_;  // index of the start column in the result
};

}  // namespace usaged::parse
