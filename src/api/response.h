#pragma once

#include <nlohmann/json.hpp>

#include <stdexcept>
#include <string>
#include <string_view>

namespace usaged::api {

// CloudStack's API error codes (org.apache.cloudstack.api.ApiErrorCode); the
// HTTP status of an error response is the same number.
namespace error_code {
inline constexpr int kUnauthorized = 401;
inline constexpr int kMethodNotAllowed = 405;
inline constexpr int kMalformedParameter = 430;
inline constexpr int kParamError = 431;
inline constexpr int kUnsupportedAction = 432;
inline constexpr int kInternalError = 530;
inline constexpr int kAccountError = 531;
inline constexpr int kResourceInUse = 536;
}  // namespace error_code

// CloudStack's cserrorcode for the exception class behind an error
// (CSExceptionErrorCode).
namespace cs_error_code {
inline constexpr int kServerApi = 9999;
inline constexpr int kInvalidParameterValue = 4350;
inline constexpr int kPermissionDenied = 4365;
inline constexpr int kResourceInUse = 4375;
}  // namespace cs_error_code

// An API call that ends in an error response.
class ApiError : public std::runtime_error {
 public:
  ApiError(int code, int cs_code, const std::string& text)
      : std::runtime_error(text), code_(code), cs_code_(cs_code) {}
  int code() const { return code_; }
  int cs_code() const { return cs_code_; }

 private:
  int code_;
  int cs_code_;
};

ApiError ParamError(const std::string& text);        // 431 / 4350
ApiError PermissionDenied(const std::string& text);  // 531 / 4365

enum class ResponseFormat { kJson, kXml, kCsv };

// One response: {"<name>": body}. A list response's body holds "count" and an
// array named by its object name (e.g. "usagerecord"); an empty list's body is
// {} (CloudStack omits both).
struct ApiResponse {
  int http_status = 200;
  std::string name;  // e.g. "listusagerecordsresponse"
  nlohmann::ordered_json body = nlohmann::ordered_json::object();
};

// A list response: count (the total matching, for paging) and the items.
ApiResponse ListResponse(std::string_view command, std::string_view object_name,
                         nlohmann::ordered_json items, int64_t total);
// CloudStack's error body: uuidList, errorcode, cserrorcode, errortext.
ApiResponse ErrorResponse(std::string_view command, const ApiError& error);

// JSON as CloudStack writes it; XML with the response name as the root
// element (arrays become repeated elements, as CloudStack serialises lists);
// CSV: a header and one line per item of the response's list (or one line of
// the object's fields), nested values as JSON text.
std::string Serialize(const ApiResponse& response, ResponseFormat format);
std::string_view ContentType(ResponseFormat format);

// "<command lower-cased>response", or "errorresponse" without a command.
std::string ResponseName(std::string_view command);

}  // namespace usaged::api
