#include "api/dispatcher.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cctype>

#include "core/error.h"

namespace usaged::api {
namespace {

std::string Lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

ResponseFormat PickFormat(const Params& params, const std::string& accept) {
  if (auto r = FindParamNoCase(params, "response")) {
    std::string v = Lower(*r);
    if (v == "json") return ResponseFormat::kJson;
    if (v == "csv") return ResponseFormat::kCsv;
    return ResponseFormat::kXml;
  }
  if (Lower(accept).find("text/csv") != std::string::npos) return ResponseFormat::kCsv;
  return ResponseFormat::kXml;  // CloudStack's default
}

ApiError Unauthorized() {
  return ApiError(error_code::kUnauthorized, cs_error_code::kServerApi,
                  "unable to verify user credentials and/or request signature");
}

HttpReply Reply(const ApiResponse& response, ResponseFormat format) {
  return HttpReply{response.http_status, std::string(ContentType(format)),
                   Serialize(response, format)};
}

}  // namespace

Caller Dispatcher::Authenticate(store::Connection& conn, const Params& params) {
  auto api_key = FindParamNoCase(params, "apikey");
  auto signature = FindParam(params, "signature");
  if (!api_key || !signature) throw Unauthorized();
  auto version = FindParamNoCase(params, "signatureversion");
  if (version && *version == "3") {
    auto expires_text = FindParamNoCase(params, "expires");
    if (!expires_text) throw Unauthorized();
    auto expires = ParseExpires(*expires_text);
    if (!expires || *expires < services_.clock->Now()) throw Unauthorized();
  }
  auto credential = KeyStore(conn, box_).Find(*api_key);
  if (!credential || !SameSignature(*signature, Sign(credential->secret, params))) {
    throw Unauthorized();
  }
  return credential->caller;
}

HttpReply Dispatcher::Handle(store::Connection& conn, const Params& params,
                             const std::string& accept) {
  ResponseFormat format = PickFormat(params, accept);
  std::string command = FindParamNoCase(params, "command").value_or("");
  try {
    if (command.empty()) throw ParamError("missing parameter command");
    Caller caller = Authenticate(conn, params);
    const CommandSpec* spec = FindCommand(command);
    if (!spec) {
      throw ApiError(error_code::kUnsupportedAction, cs_error_code::kServerApi,
                     "The given command does not exist or it is not available for user");
    }
    command = spec->name;
    if (!spec->Allows(caller.role)) {
      throw ApiError(error_code::kUnauthorized, cs_error_code::kServerApi,
                     fmt::format("The given command '{}' either does not exist, is not available "
                                 "for user.", command));
    }
    return Reply(spec->run(Request(command, caller, params, conn, services_)), format);
  } catch (const ApiError& e) {
    return Reply(ErrorResponse(command, e), format);
  } catch (const std::exception& e) {
    // A database or internal failure: logged in full, reported without
    // internals (SQL text may name columns and values).
    spdlog::error("API command {} failed: {}", command, e.what());
    ApiError internal(error_code::kInternalError, cs_error_code::kServerApi,
                      "Internal error executing command, please contact your system "
                      "administrator");
    HttpReply reply = Reply(ErrorResponse(command, internal), format);
    reply.discard_connection = true;
    return reply;
  }
}

}  // namespace usaged::api
