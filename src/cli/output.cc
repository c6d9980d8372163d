#include "cli/output.h"

#include <fmt/format.h>

#include <algorithm>

#include "core/error.h"

namespace usaged::cli {

Format ParseFormat(std::string_view text) {
  if (text == "table") return Format::kTable;
  if (text == "json") return Format::kJson;
  if (text == "csv") return Format::kCsv;
  throw InputError(fmt::format("invalid --format '{}': expected table, json or csv", text));
}

std::string CellText(const nlohmann::ordered_json& v) {
  if (v.is_null()) return "";
  if (v.is_string()) return v.get<std::string>();
  if (v.is_boolean()) return v.get<bool>() ? "true" : "false";
  if (v.is_number_float()) return fmt::format("{}", v.get<double>());
  return v.dump();
}

namespace {

std::string CsvField(const std::string& s) {
  if (s.find_first_of(",\"\r\n") == std::string::npos) return s;
  std::string out = "\"";
  for (char c : s) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

}  // namespace

ResultTable ResultTable::Select(const std::vector<std::string>& columns) const {
  std::vector<size_t> index;
  for (const auto& c : columns) {
    index.push_back(static_cast<size_t>(std::find(columns_.begin(), columns_.end(), c) -
                                        columns_.begin()));
  }
  ResultTable out(columns);
  for (const auto& row : rows_) {
    std::vector<nlohmann::ordered_json> cells;
    for (size_t i : index) cells.push_back(row.at(i));
    out.Add(std::move(cells));
  }
  return out;
}

void ResultTable::Print(Format format, std::ostream& out) const {
  switch (format) {
    case Format::kJson: {
      // ordered_json keeps the column order of the table.
      out << "[";
      for (size_t r = 0; r < rows_.size(); ++r) {
        nlohmann::ordered_json obj;
        for (size_t i = 0; i < columns_.size(); ++i) obj[columns_[i]] = rows_[r][i];
        out << (r ? ",\n " : "\n ") << obj.dump();
      }
      out << (rows_.empty() ? "]\n" : "\n]\n");
      break;
    }
    case Format::kCsv: {
      for (size_t i = 0; i < columns_.size(); ++i) out << (i ? "," : "") << CsvField(columns_[i]);
      out << "\n";
      for (const auto& row : rows_) {
        for (size_t i = 0; i < row.size(); ++i) out << (i ? "," : "") << CsvField(CellText(row[i]));
        out << "\n";
      }
      break;
    }
    case Format::kTable: {
      std::vector<size_t> width(columns_.size());
      for (size_t i = 0; i < columns_.size(); ++i) width[i] = columns_[i].size();
      for (const auto& row : rows_) {
        for (size_t i = 0; i < row.size(); ++i) width[i] = std::max(width[i], CellText(row[i]).size());
      }
      auto line = [&](const std::vector<std::string>& cells) {
        std::string text;
        for (size_t i = 0; i < cells.size(); ++i) {
          text += (i ? "  " : "") + cells[i] + std::string(width[i] - cells[i].size(), ' ');
        }
        while (!text.empty() && text.back() == ' ') text.pop_back();
        out << text << "\n";
      };
      line(columns_);
      std::vector<std::string> rule;
      for (size_t w : width) rule.push_back(std::string(w, '-'));
      line(rule);
      for (const auto& row : rows_) {
        std::vector<std::string> cells;
        for (const auto& v : row) cells.push_back(CellText(v));
        line(cells);
      }
      break;
    }
  }
}

}  // namespace usaged::cli
