#pragma once

#include <nlohmann/json.hpp>

#include <ostream>
#include <string>
#include <string_view>
#include <vector>

namespace usaged::cli {

enum class Format { kTable, kJson, kCsv };

// Parses "table", "json" or "csv"; throws InputError otherwise.
Format ParseFormat(std::string_view text);

// Rows of named columns, printed as an aligned table, a JSON array of objects
// or RFC 4180 CSV with a header line. Values are JSON scalars; null prints as
// an empty cell (table, CSV) or null (JSON).
class ResultTable {
 public:
  explicit ResultTable(std::vector<std::string> columns) : columns_(std::move(columns)) {}
  // `row` must have one value per column.
  void Add(std::vector<nlohmann::ordered_json> row) { rows_.push_back(std::move(row)); }
  size_t size() const { return rows_.size(); }
  // A table with only the named columns (which must exist), in that order.
  ResultTable Select(const std::vector<std::string>& columns) const;
  void Print(Format format, std::ostream& out) const;

 private:
  std::vector<std::string> columns_;
  std::vector<std::vector<nlohmann::ordered_json>> rows_;
};

// A scalar as text: strings unquoted, numbers in shortest round-trip form.
std::string CellText(const nlohmann::ordered_json& value);

}  // namespace usaged::cli
