#include "ingest/interval_table.h"

#include "ingest/event_handler.h"

#include <fmt/format.h>

#include <algorithm>

namespace usaged::ingest {
namespace {

// Prefetch and insert batches: a few fixed statement sizes keep the prepared
// statement cache small.
constexpr size_t kLoadChunk = 64;
constexpr size_t kInsertChunk = 64;
constexpr size_t kUpdateChunk = 500;

SqlValue ReadValue(store::Statement& q, int column, ColumnType type) {
  if (q.IsNull(column)) return std::monostate{};
  switch (type) {
    case ColumnType::kInt: return q.Int(column);
    case ColumnType::kText: return q.Text(column);
    case ColumnType::kTime: return q.Time(column);
  }
  return std::monostate{};
}

}  // namespace

void BindSqlValue(store::Statement& st, int index, const SqlValue& v) {
  if (std::holds_alternative<int64_t>(v)) {
    st.BindInt(index, std::get<int64_t>(v));
  } else if (std::holds_alternative<std::string>(v)) {
    st.BindText(index, std::get<std::string>(v));
  } else if (std::holds_alternative<Instant>(v)) {
    st.BindTime(index, std::get<Instant>(v));
  } else {
    st.BindNull(index);
  }
}

bool IntervalRow::Matches(const std::map<std::string, SqlValue>& match) const {
  for (const auto& [column, value] : match) {
    auto it = values.find(column);
    if (it == values.end() || it->second != value) return false;
  }
  return true;
}

int64_t IntervalRow::Int(const std::string& column) const { return OptInt(column).value_or(0); }

std::optional<int64_t> IntervalRow::OptInt(const std::string& column) const {
  auto it = values.find(column);
  if (it == values.end() || !std::holds_alternative<int64_t>(it->second)) return std::nullopt;
  return std::get<int64_t>(it->second);
}

std::string IntervalTable::SelectColumns() const {
  std::string cols = "id";
  for (const auto& c : def_->columns) cols += ", " + c.name;
  return cols + ", " + def_->start_column + ", " + def_->end_column;
}

void IntervalTable::Load(store::Connection& conn, const std::string& column,
                         const std::set<SqlValue>& values, bool include_closed) {
  std::vector<SqlValue> wanted;
  for (const auto& v : values) {
    auto key = std::make_pair(column, v);
    if (loaded_all_keys_.count(key) || (!include_closed && loaded_keys_.count(key))) continue;
    wanted.push_back(v);
    (include_closed ? loaded_all_keys_ : loaded_keys_).insert(key);
  }
  std::string placeholders = "?";
  for (size_t i = 1; i < kLoadChunk; ++i) placeholders += ",?";
  std::string sql = fmt::format("SELECT {} FROM ${{usage}}.{} WHERE {} IN ({}){}", SelectColumns(),
                                def_->table, column, placeholders,
                                include_closed ? "" : " AND " + def_->end_column + " IS NULL");
  const int n = static_cast<int>(def_->columns.size());
  for (size_t from = 0; from < wanted.size(); from += kLoadChunk) {
    auto& q = conn.Prepare(sql);
    q.Reset();
    for (size_t i = 0; i < kLoadChunk; ++i) {
      // Pad a short chunk by repeating its last value.
      BindSqlValue(q, static_cast<int>(i + 1), wanted[std::min(from + i, wanted.size() - 1)]);
    }
    while (q.Next()) {
      int64_t id = q.Int(0);
      if (!loaded_ids_.insert(id).second) continue;
      auto row = std::make_unique<IntervalRow>();
      row->id = id;
      for (int c = 0; c < n; ++c) {
        row->values[def_->columns[c].name] = ReadValue(q, c + 1, def_->columns[c].type);
      }
      row->start = q.Time(n + 1);
      row->end = q.OptTime(n + 2);
      rows_.push_back(std::move(row));
    }
    q.Reset();
  }
}

std::vector<IntervalRow*> IntervalTable::Find(const std::map<std::string, SqlValue>& match,
                                              bool include_closed) {
  std::vector<IntervalRow*> out;
  for (auto& row : rows_) {
    if ((include_closed || !row->end) && row->Matches(match)) out.push_back(row.get());
  }
  std::stable_sort(out.begin(), out.end(), [](const IntervalRow* a, const IntervalRow* b) {
    return a->start != b->start ? a->start < b->start : (a->id != 0 && a->id < b->id);
  });
  return out;
}

void IntervalTable::Close(IntervalRow& row, Instant at) {
  row.end = at;
  row.end_changed = true;
}

void IntervalTable::SetValues(IntervalRow& row, const std::map<std::string, SqlValue>& values) {
  for (const auto& [column, value] : values) row.values[column] = value;
  if (row.id != 0) row.values_changed = true;
}

IntervalRow& IntervalTable::Insert(std::map<std::string, SqlValue> values, Instant start) {
  auto row = std::make_unique<IntervalRow>();
  row->values = std::move(values);
  row->start = start;
  rows_.push_back(std::move(row));
  return *rows_.back();
}

std::string IntervalTable::InsertSql(size_t rows) const {
  std::string cols, one = "(";
  for (const auto& c : def_->columns) {
    cols += c.name + ", ";
    one += "?, ";
  }
  cols += def_->start_column + ", " + def_->end_column;
  one += "?, ?)";
  std::string sql = fmt::format("INSERT INTO ${{usage}}.{} ({}) VALUES ", def_->table, cols);
  for (size_t r = 0; r < rows; ++r) sql += (r ? ", " : "") + one;
  return sql;
}

void IntervalTable::Flush(store::Connection& conn) {
  std::vector<IntervalRow*> inserts, closes;
  for (auto& row : rows_) {
    if (row->id == 0) {
      inserts.push_back(row.get());
    } else if (row->end_changed) {
      closes.push_back(row.get());
    }
  }
  // Rows whose columns changed are rare (a change in the second a resource
  // was opened): one UPDATE each.
  for (auto& row : rows_) {
    if (row->id == 0 || !row->values_changed) continue;
    std::string set;
    for (const auto& c : def_->columns) set += (set.empty() ? "" : ", ") + c.name + " = ?";
    auto& st = conn.Prepare(
        fmt::format("UPDATE ${{usage}}.{} SET {} WHERE id = ?", def_->table, set));
    st.Reset();
    int p = 1;
    for (const auto& c : def_->columns) {
      auto it = row->values.find(c.name);
      BindSqlValue(st, p++, it == row->values.end() ? SqlValue{} : it->second);
    }
    st.BindInt(p, row->id);
    st.Run();
  }
  // Closes of rows loaded from the table: one UPDATE per batch. Values are
  // integers and formatted times only, so they are written inline.
  for (size_t from = 0; from < closes.size(); from += kUpdateChunk) {
    size_t to = std::min(closes.size(), from + kUpdateChunk);
    std::string cases, ids;
    for (size_t i = from; i < to; ++i) {
      cases += fmt::format(" WHEN {} THEN '{}'", closes[i]->id, FormatUtc(*closes[i]->end));
      ids += (i > from ? "," : "") + std::to_string(closes[i]->id);
    }
    conn.Exec(fmt::format("UPDATE ${{usage}}.{0} SET {1} = CASE id{2} END WHERE id IN ({3})",
                          def_->table, def_->end_column, cases, ids));
  }
  // New rows (already closed if their resource ended in the same page):
  // multi-row INSERTs of 64 rows, then single rows.
  size_t from = 0;
  while (from < inserts.size()) {
    size_t n = inserts.size() - from >= kInsertChunk ? kInsertChunk : 1;
    auto& st = conn.Prepare(InsertSql(n));
    st.Reset();
    int p = 1;
    for (size_t i = from; i < from + n; ++i) {
      const IntervalRow& row = *inserts[i];
      for (const auto& c : def_->columns) {
        auto it = row.values.find(c.name);
        BindSqlValue(st, p++, it == row.values.end() ? SqlValue{} : it->second);
      }
      st.BindTime(p++, row.start);
      BindSqlValue(st, p++, row.end ? SqlValue{*row.end} : SqlValue{});
    }
    st.Run();
    from += n;
  }
  // The working copy is spent: new rows' ids are unknown, so the next page
  // loads what it needs again.
  loaded_keys_.clear();
  loaded_all_keys_.clear();
  loaded_ids_.clear();
  rows_.clear();
}

IntervalTable& HelperTables::Get(const TableDef& def) {
  auto it = tables_.find(&def);
  if (it != tables_.end()) return *it->second;
  auto table = std::make_unique<IntervalTable>(&def);
  order_.push_back(table.get());
  return *tables_.emplace(&def, std::move(table)).first->second;
}

void HelperTables::Flush(store::Connection& conn) {
  for (IntervalTable* t : order_) t->Flush(conn);
}

void PrefetchRequest::Load(store::Connection& conn, HelperTables& tables) const {
  for (const auto& [key, values] : wanted_) {
    const auto& [table, column, include_closed] = key;
    tables.Get(*table).Load(conn, column, values, include_closed);
  }
}

}  // namespace usaged::ingest
