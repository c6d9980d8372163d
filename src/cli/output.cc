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

// A cell as the table shows it, on one line and harmless to a terminal:
// C0 controls and DEL as \n, \r, \t or \xHH, and the C1 controls (U+0080 to
// U+009F, which some terminals obey like ESC) as \u00HH. A description or a
// name stored with a newline or an escape sequence cannot break the table's
// lines or drive the terminal. JSON and CSV keep the text as it is stored.
std::string TableCell(const std::string& s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c == '\n') {
      out += "\\n";
    } else if (c == '\r') {
      out += "\\r";
    } else if (c == '\t') {
      out += "\\t";
    } else if (c < 0x20 || c == 0x7F) {
      out += fmt::format("\\x{:02x}", c);
    } else if (c == 0xC2 && i + 1 < s.size() && static_cast<unsigned char>(s[i + 1]) >= 0x80 &&
               static_cast<unsigned char>(s[i + 1]) <= 0x9F) {
      out += fmt::format("\\u{:04x}", static_cast<unsigned char>(s[i + 1]));
      ++i;
    } else {
      out += s[i];
    }
  }
  return out;
}

// Columns a cell takes: one per character (UTF-8 continuation bytes take none).
size_t DisplayWidth(const std::string& s) {
  return static_cast<size_t>(std::count_if(s.begin(), s.end(), [](char c) {
    return (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  }));
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
      std::vector<std::vector<std::string>> cells;
      cells.push_back(columns_);
      for (const auto& row : rows_) {
        std::vector<std::string> line;
        for (const auto& v : row) line.push_back(TableCell(CellText(v)));
        cells.push_back(std::move(line));
      }
      std::vector<size_t> width(columns_.size());
      for (const auto& line : cells) {
        for (size_t i = 0; i < line.size(); ++i) {
          width[i] = std::max(width[i], DisplayWidth(line[i]));
        }
      }
      auto print = [&](const std::vector<std::string>& line) {
        std::string text;
        for (size_t i = 0; i < line.size(); ++i) {
          text += (i ? "  " : "") + line[i] + std::string(width[i] - DisplayWidth(line[i]), ' ');
        }
        while (!text.empty() && text.back() == ' ') text.pop_back();
        out << text << "\n";
      };
      print(cells[0]);
      std::vector<std::string> rule;
      for (size_t w : width) rule.push_back(std::string(w, '-'));
      print(rule);
      for (size_t r = 1; r < cells.size(); ++r) print(cells[r]);
      break;
    }
  }
}

}  // namespace usaged::cli
