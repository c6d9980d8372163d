#include "api/dispatcher.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cctype>
#include <optional>

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

Caller Dispatcher::Authenticate(store::Connection& conn, const Params& params,
                                const std::string& remote) {
  auto api_key = FindParamNoCase(params, "apikey");
  auto refuse = [&](std::string_view why) {
    refusals_.Refused(RefusalLog::Kind::kAuthentication, services_.clock->Now(),
                      fmt::format("API authentication failed from {} with key '{}' (command {}): "
                                  "{}", Printable(remote), Printable(api_key.value_or("")),
                                  Printable(FindParamNoCase(params, "command").value_or("")),
                                  why));
    return Unauthorized();
  };
  auto signature = FindParam(params, "signature");
  if (!api_key) throw refuse("no apiKey");
  if (!signature) throw refuse("no signature");
  auto version = FindParamNoCase(params, "signatureversion");
  if (version && *version == "3") {
    auto expires_text = FindParamNoCase(params, "expires");
    if (!expires_text) throw refuse("signatureversion 3 without expires");
    auto expires = ParseExpires(*expires_text);
    if (!expires) throw refuse("malformed expires");
    if (*expires < services_.clock->Now()) throw refuse("expired request");
  }
  std::string why;
  auto credential = KeyStore(conn, box_).Find(*api_key, &why);
  if (!credential) throw refuse(why);
  if (!SameSignature(*signature, Sign(credential->secret, params))) {
    throw refuse("wrong signature");
  }
  return credential->caller;
}

HttpReply Dispatcher::Handle(store::Connection& conn, const Params& params,
                             const std::string& accept, const std::string& remote) {
  ResponseFormat format = PickFormat(params, accept);
  std::string command = FindParamNoCase(params, "command").value_or("");
  std::optional<Caller> caller;
  try {
    if (command.empty()) throw ParamError("missing parameter command");
    caller = Authenticate(conn, params, remote);
    const CommandSpec* spec = FindCommand(command);
    if (!spec) {
      throw ApiError(error_code::kUnsupportedAction, cs_error_code::kServerApi,
                     "The given command does not exist or it is not available for user");
    }
    command = spec->name;
    if (!spec->Allows(caller->role)) {
      throw ApiError(error_code::kUnauthorized, cs_error_code::kServerApi,
                     fmt::format("The given command '{}' either does not exist, is not available "
                                 "for user.", command));
    }
    return Reply(spec->run(Request(command, *caller, params, conn, services_)), format);
  } catch (const ApiError& e) {
    if (caller && (e.code() == error_code::kUnauthorized ||
                   e.code() == error_code::kAccountError)) {
      refusals_.Refused(RefusalLog::Kind::kScope, services_.clock->Now(),
                        fmt::format("API request refused from {} with key '{}' (command {}): {}",
                                    Printable(remote), Printable(caller->api_key),
                                    Printable(command), Printable(e.what(), 300)));
    }
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
