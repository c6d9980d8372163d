#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "core/time.h"
#include "store/connection.h"

namespace usaged::ingest {

// A value of a helper-table column.
using SqlValue = std::variant<std::monostate, int64_t, std::string, Instant>;

enum class ColumnType { kInt, kText, kTime };

struct ColumnDef {
  std::string name;
  ColumnType type;
};

// A helper table of resource lifetimes: rows [start, end), end NULL while the
// resource lives, with CloudStack's surrogate `id` primary key.
struct TableDef {
  std::string table;         // e.g. "usage_vm_instance"
  std::string start_column;  // e.g. "start_date"
  std::string end_column;    // e.g. "end_date"
  std::vector<ColumnDef> columns;  // every other column except `id`
  // The columns that identify one resource's rows (which must never overlap).
  std::vector<std::string> resource_key;
};

// One row, as loaded or as about to be written.
struct IntervalRow {
  int64_t id = 0;  // 0: inserted in this page, not written yet
  std::map<std::string, SqlValue> values;
  Instant start{};
  std::optional<Instant> end;
  bool end_changed = false;
  bool values_changed = false;  // a loaded row whose columns SetValues changed

  bool Matches(const std::map<std::string, SqlValue>& match) const;
  int64_t Int(const std::string& column) const;
  std::optional<int64_t> OptInt(const std::string& column) const;
};

// A page's working copy of one helper table: the rows the page's events may
// touch are loaded up front in a few queries, events are applied in memory,
// and Flush() writes the changes in batches (multi-row INSERTs and one UPDATE
// per batch of closed rows). This keeps the number of database round trips
// per page small instead of several per event.
class IntervalTable {
 public:
  explicit IntervalTable(const TableDef* def) : def_(def) {}

  const TableDef& def() const { return *def_; }

  // Loads rows whose `column` is one of `values` (only open rows unless
  // `include_closed`). Rows already loaded are not loaded twice.
  void Load(store::Connection& conn, const std::string& column, const std::set<SqlValue>& values,
            bool include_closed);

  // Loaded rows matching every (column, value), open ones only unless
  // `include_closed`, ordered by start then id.
  std::vector<IntervalRow*> Find(const std::map<std::string, SqlValue>& match,
                                 bool include_closed = false);
  std::vector<IntervalRow*> FindOpen(const std::map<std::string, SqlValue>& match) {
    return Find(match, false);
  }

  void Close(IntervalRow& row, Instant at);
  // Changes columns of a row in place. Only for a row that starts at the time
  // of the change (so no billed time is re-described); Flush writes it.
  void SetValues(IntervalRow& row, const std::map<std::string, SqlValue>& values);
  IntervalRow& Insert(std::map<std::string, SqlValue> values, Instant start);

  // Writes inserted and closed rows; the table stays usable afterwards.
  void Flush(store::Connection& conn);

 private:
  std::string SelectColumns() const;
  std::string InsertSql(size_t rows) const;

  const TableDef* def_;
  std::vector<std::unique_ptr<IntervalRow>> rows_;
  std::set<int64_t> loaded_ids_;
  std::set<std::pair<std::string, SqlValue>> loaded_keys_;  // (column, value), open-only loads
  std::set<std::pair<std::string, SqlValue>> loaded_all_keys_;
};

// The working copies of every helper table for one page of events.
class HelperTables {
 public:
  IntervalTable& Get(const TableDef& def);
  void Flush(store::Connection& conn);

 private:
  std::map<const TableDef*, std::unique_ptr<IntervalTable>> tables_;
  std::vector<IntervalTable*> order_;
};

// Binds a SqlValue to parameter `index`.
void BindSqlValue(store::Statement& st, int index, const SqlValue& value);

}  // namespace usaged::ingest
