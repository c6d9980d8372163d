#pragma once

#include <memory>
#include <string>

#include "api/command.h"
#include "api/key_store.h"
#include "api/refusal_log.h"
#include "api/signing.h"

namespace usaged::api {

struct HttpReply {
  int status = 200;
  std::string content_type;
  std::string body;
  // The connection failed in a way that may leave it unusable.
  bool discard_connection = false;
};

// Answers /client/api requests: picks the response format, authenticates the
// signature, checks the caller's role may run the command, runs it and turns
// every failure into a CloudStack error body with the matching HTTP status.
// Failed authentication and refusals of an authenticated caller (a command
// its role may not call, something outside its scope) are logged at warn
// level, rate limited, with the client's address and API key (never the
// secret or the signature). Never throws.
class Dispatcher {
 public:
  Dispatcher(Services& services, const SecretBox* box)
      : services_(services), box_(box) {}

  // `accept` is the request's Accept header (text/csv selects CSV when the
  // response parameter does not say); `remote` the client's address, for the log.
  HttpReply Handle(store::Connection& conn, const Params& params, const std::string& accept,
                   const std::string& remote = "");

 private:
  // The caller, or logs why and throws ApiError 401.
  Caller Authenticate(store::Connection& conn, const Params& params, const std::string& remote);

  Services& services_;
  const SecretBox* box_;
  RefusalLog refusals_;
};

}  // namespace usaged::api
