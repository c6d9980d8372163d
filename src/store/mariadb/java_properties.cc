#include "store/mariadb/java_properties.h"

#include <fmt/format.h>

#include <fstream>
#include <sstream>
#include <vector>

#include "core/error.h"

namespace usaged::store {
namespace {

bool IsBlank(char c) { return c == ' ' || c == '\t' || c == '\f'; }

// A line ends a logical line unless it ends in an odd number of backslashes.
bool Continues(const std::string& line) {
  size_t backslashes = 0;
  for (auto it = line.rbegin(); it != line.rend() && *it == '\\'; ++it) ++backslashes;
  return backslashes % 2 == 1;
}

std::vector<std::string> LogicalLines(std::string_view text) {
  std::vector<std::string> lines;
  std::string current;
  bool continuing = false;
  std::istringstream in{std::string(text)};
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    size_t start = 0;
    while (start < line.size() && IsBlank(line[start])) ++start;
    if (!continuing && (start == line.size() || line[start] == '#' || line[start] == '!')) {
      continue;
    }
    std::string part = line.substr(start);
    continuing = Continues(part);
    if (continuing) part.pop_back();
    current += part;
    if (!continuing) {
      lines.push_back(std::move(current));
      current.clear();
    }
  }
  if (continuing) lines.push_back(std::move(current));
  return lines;
}

void AppendUtf8(std::string& out, unsigned code) {
  if (code < 0x80) {
    out += static_cast<char>(code);
  } else if (code < 0x800) {
    out += static_cast<char>(0xC0 | (code >> 6));
    out += static_cast<char>(0x80 | (code & 0x3F));
  } else {
    out += static_cast<char>(0xE0 | (code >> 12));
    out += static_cast<char>(0x80 | ((code >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (code & 0x3F));
  }
}

// Resolves the escape at text[i] == '\\'; returns the index after it.
size_t Unescape(std::string_view text, size_t i, std::string& out) {
  if (i + 1 >= text.size()) return i + 1;
  char c = text[i + 1];
  switch (c) {
    case 't': out += '\t'; return i + 2;
    case 'n': out += '\n'; return i + 2;
    case 'r': out += '\r'; return i + 2;
    case 'f': out += '\f'; return i + 2;
    case 'u': {
      unsigned code = 0;
      if (i + 6 > text.size()) throw InputError("malformed \\uXXXX escape in a properties file");
      for (size_t k = i + 2; k < i + 6; ++k) {
        char h = text[k];
        code <<= 4;
        if (h >= '0' && h <= '9') code |= h - '0';
        else if (h >= 'a' && h <= 'f') code |= h - 'a' + 10;
        else if (h >= 'A' && h <= 'F') code |= h - 'A' + 10;
        else throw InputError("malformed \\uXXXX escape in a properties file");
      }
      AppendUtf8(out, code);
      return i + 6;
    }
    default: out += c; return i + 2;
  }
}

void ParseLine(std::string_view line, std::map<std::string, std::string>& props) {
  std::string key;
  size_t i = 0;
  while (i < line.size() && line[i] != '=' && line[i] != ':' && !IsBlank(line[i])) {
    if (line[i] == '\\') {
      i = Unescape(line, i, key);
    } else {
      key += line[i++];
    }
  }
  while (i < line.size() && IsBlank(line[i])) ++i;
  if (i < line.size() && (line[i] == '=' || line[i] == ':')) ++i;
  while (i < line.size() && IsBlank(line[i])) ++i;
  std::string value;
  while (i < line.size()) {
    if (line[i] == '\\') {
      i = Unescape(line, i, value);
    } else {
      value += line[i++];
    }
  }
  props[key] = value;
}

}  // namespace

std::map<std::string, std::string> ParseJavaProperties(std::string_view text) {
  std::map<std::string, std::string> props;
  for (const std::string& line : LogicalLines(text)) ParseLine(line, props);
  return props;
}

std::map<std::string, std::string> ReadJavaProperties(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError(fmt::format("cannot read --db-properties file {}", path));
  std::ostringstream text;
  text << in.rdbuf();
  return ParseJavaProperties(text.str());
}

}  // namespace usaged::store
