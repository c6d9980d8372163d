#include "api/response.h"

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <vector>

namespace usaged::api {
namespace {

// The version attribute CloudStack puts on every XML response root.
constexpr std::string_view kCloudStackVersion = "4.21.0.0";

// U+FFFD, written in place of what XML 1.0 cannot carry.
constexpr std::string_view kReplacement = "\xEF\xBF\xBD";

// XML 1.0's Char production: tab, newline, carriage return and the Unicode
// scalar values from U+0020, except surrogates, U+FFFE and U+FFFF.
bool IsXmlChar(uint32_t c) {
  return c == 0x9 || c == 0xA || c == 0xD || (c >= 0x20 && c <= 0xD7FF) ||
         (c >= 0xE000 && c <= 0xFFFD) || (c >= 0x10000 && c <= 0x10FFFF);
}

// The length of the well-formed UTF-8 sequence at the start of `s` and its
// code point, or 0 if it is not one (a stray or truncated byte, an overlong
// form, an encoded surrogate, beyond U+10FFFF).
size_t DecodeUtf8(std::string_view s, uint32_t& code_point) {
  const auto byte = [&](size_t i) { return static_cast<unsigned char>(s[i]); };
  const unsigned char lead = byte(0);
  size_t length = 0;
  uint32_t c = 0, min = 0;
  if (lead < 0x80) { code_point = lead; return 1; }
  if ((lead & 0xE0) == 0xC0) { length = 2; c = lead & 0x1F; min = 0x80; }
  else if ((lead & 0xF0) == 0xE0) { length = 3; c = lead & 0x0F; min = 0x800; }
  else if ((lead & 0xF8) == 0xF0) { length = 4; c = lead & 0x07; min = 0x10000; }
  else return 0;
  if (s.size() < length) return 0;
  for (size_t i = 1; i < length; ++i) {
    if ((byte(i) & 0xC0) != 0x80) return 0;
    c = (c << 6) | (byte(i) & 0x3F);
  }
  if (c < min || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF)) return 0;
  code_point = c;
  return length;
}

// Escapes markup and replaces whatever XML 1.0 forbids with U+FFFD: stored
// text (a description, a name) may hold control characters or bytes that are
// not UTF-8, and one such byte must not make the whole response unreadable
// to a client's XML parser. JSON responses replace invalid UTF-8 the same way.
void AppendXmlText(std::string& out, std::string_view text) {
  for (size_t i = 0; i < text.size();) {
    uint32_t c = 0;
    const size_t length = DecodeUtf8(text.substr(i), c);
    if (length == 0 || !IsXmlChar(c)) {
      out += kReplacement;
      i += length == 0 ? 1 : length;
      continue;
    }
    switch (c) {
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '&': out += "&amp;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&apos;"; break;
      default: out.append(text.substr(i, length));
    }
    i += length;
  }
}

std::string Scalar(const nlohmann::ordered_json& v) {
  if (v.is_string()) return v.get<std::string>();
  if (v.is_null()) return "";
  return v.dump();
}

void AppendXml(std::string& out, std::string_view key, const nlohmann::ordered_json& value);

void AppendXmlFields(std::string& out, const nlohmann::ordered_json& object) {
  for (auto it = object.begin(); it != object.end(); ++it) AppendXml(out, it.key(), it.value());
}

void AppendXml(std::string& out, std::string_view key, const nlohmann::ordered_json& value) {
  if (value.is_array()) {
    for (const auto& item : value) AppendXml(out, key, item);
    return;
  }
  out += '<';
  out += key;
  out += '>';
  if (value.is_object()) {
    AppendXmlFields(out, value);
  } else {
    AppendXmlText(out, Scalar(value));
  }
  out += "</";
  out += key;
  out += '>';
}

std::string CsvCell(const nlohmann::ordered_json& v) {
  std::string text = (v.is_object() || v.is_array()) ? v.dump() : Scalar(v);
  if (text.find_first_of(",\"\r\n") == std::string::npos) return text;
  std::string quoted = "\"";
  for (char c : text) {
    if (c == '"') quoted += '"';
    quoted += c;
  }
  return quoted + "\"";
}

std::string ToCsv(const ApiResponse& response) {
  std::vector<nlohmann::ordered_json> rows;
  for (auto it = response.body.begin(); it != response.body.end(); ++it) {
    if (it.value().is_array()) {
      for (const auto& item : it.value()) rows.push_back(item);
    }
  }
  if (rows.empty() && !response.body.contains("count")) {
    // A single object: {"usageMetrics": {...}} or the fields themselves.
    const auto& body = response.body;
    if (body.size() == 1 && body.begin().value().is_object()) {
      rows.push_back(body.begin().value());
    } else if (!body.empty()) {
      rows.push_back(body);
    }
  }
  std::vector<std::string> columns;
  for (const auto& row : rows) {
    for (auto it = row.begin(); it != row.end(); ++it) {
      if (std::find(columns.begin(), columns.end(), it.key()) == columns.end()) {
        columns.push_back(it.key());
      }
    }
  }
  std::string out;
  for (size_t i = 0; i < columns.size(); ++i) out += (i ? "," : "") + CsvCell(columns[i]);
  out += "\r\n";
  for (const auto& row : rows) {
    for (size_t i = 0; i < columns.size(); ++i) {
      if (i) out += ',';
      if (row.contains(columns[i])) out += CsvCell(row[columns[i]]);
    }
    out += "\r\n";
  }
  return out;
}

}  // namespace

ApiError ParamError(const std::string& text) {
  return ApiError(error_code::kParamError, cs_error_code::kInvalidParameterValue, text);
}

ApiError PermissionDenied(const std::string& text) {
  return ApiError(error_code::kAccountError, cs_error_code::kPermissionDenied, text);
}

std::string ResponseName(std::string_view command) {
  if (command.empty()) return "errorresponse";
  std::string name;
  for (char c : command) name += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return name + "response";
}

ApiResponse ListResponse(std::string_view command, std::string_view object_name,
                         nlohmann::ordered_json items, int64_t total) {
  ApiResponse r;
  r.name = ResponseName(command);
  if (total != 0) r.body["count"] = total;
  if (!items.empty()) r.body[std::string(object_name)] = std::move(items);
  return r;
}

ApiResponse ErrorResponse(std::string_view command, const ApiError& error) {
  ApiResponse r;
  r.http_status = error.code();
  r.name = ResponseName(command);
  r.body["uuidList"] = nlohmann::ordered_json::array();
  r.body["errorcode"] = error.code();
  r.body["cserrorcode"] = error.cs_code();
  r.body["errortext"] = error.what();
  return r;
}

std::string Serialize(const ApiResponse& response, ResponseFormat format) {
  switch (format) {
    case ResponseFormat::kJson: {
      // {"<name>": body}, written around the body rather than by copying a
      // page of records into a wrapping document.
      constexpr auto kReplace = nlohmann::json::error_handler_t::replace;
      return "{" + nlohmann::ordered_json(response.name).dump(-1, ' ', false, kReplace) + ":" +
             response.body.dump(-1, ' ', false, kReplace) + "}";
    }
    case ResponseFormat::kXml: {
      std::string out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?><" + response.name +
                        " cloud-stack-version=\"" + std::string(kCloudStackVersion) + "\">";
      AppendXmlFields(out, response.body);
      return out + "</" + response.name + ">";
    }
    case ResponseFormat::kCsv:
      return ToCsv(response);
  }
  return {};
}

std::string_view ContentType(ResponseFormat format) {
  switch (format) {
    case ResponseFormat::kJson: return "application/json; charset=UTF-8";
    case ResponseFormat::kXml: return "text/xml; charset=UTF-8";
    case ResponseFormat::kCsv: return "text/csv; charset=UTF-8";
  }
  return "text/plain";
}

}  // namespace usaged::api
