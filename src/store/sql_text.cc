#include "store/sql_text.h"

#include <vector>

namespace usaged::store {

std::string ExpandSql(std::string_view sql, std::string_view cloud_db, std::string_view usage_db,
                      std::string_view insert_ignore) {
  std::string out;
  out.reserve(sql.size() + 32);
  size_t i = 0;
  while (i < sql.size()) {
    if (sql[i] == '$' && i + 1 < sql.size() && sql[i + 1] == '{') {
      size_t close = sql.find('}', i);
      if (close != std::string_view::npos) {
        std::string_view name = sql.substr(i + 2, close - i - 2);
        if (name == "cloud") {
          out += cloud_db;
        } else if (name == "usage") {
          out += usage_db;
        } else if (name == "insert_ignore") {
          out += insert_ignore;
        } else {
          out += sql.substr(i, close - i + 1);
        }
        i = close + 1;
        continue;
      }
    }
    out += sql[i++];
  }
  return out;
}

std::vector<std::string> SplitSqlStatements(std::string_view text) {
  std::vector<std::string> out;
  std::string current;
  size_t pos = 0;
  while (pos <= text.size()) {
    size_t eol = text.find('\n', pos);
    if (eol == std::string_view::npos) eol = text.size();
    std::string_view line = text.substr(pos, eol - pos);
    pos = eol + 1;
    size_t first = line.find_first_not_of(" \t\r");
    if (first == std::string_view::npos || line.substr(first, 2) == "--") continue;
    current.append(line);
    current.push_back('\n');
    size_t last = line.find_last_not_of(" \t\r");
    if (line[last] == ';') {
      current.erase(current.find_last_of(';'));
      out.push_back(std::move(current));
      current.clear();
    }
  }
  if (current.find_first_not_of(" \t\r\n") != std::string::npos) out.push_back(current);
  return out;
}

}  // namespace usaged::store
