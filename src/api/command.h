#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "api/caller.h"
#include "api/response.h"
#include "api/signing.h"
#include "core/clock.h"
#include "core/timezone.h"
#include "store/connection.h"
#include "store/store.h"

namespace usaged::api {

class AsyncJobs;
class JobRunner;

// What commands need besides the request: the store (for async work), the
// clock, the async job queue and the job runner.
struct Services {
  store::Store* store = nullptr;
  const Clock* clock = nullptr;
  AsyncJobs* jobs = nullptr;
  JobRunner* runner = nullptr;
  int64_t max_lag_seconds = 0;  // /healthz and the metrics command: lag above this is unhealthy
};

// One authenticated call of a command. Parameter names match
// case-insensitively; values are as sent.
class Request {
 public:
  Request(std::string command, const Caller& caller, const Params& params,
          store::Connection& conn, Services& services)
      : command_(std::move(command)), caller_(caller), params_(params), conn_(conn),
        services_(services) {}

  const std::string& command() const { return command_; }
  const Caller& caller() const { return caller_; }
  store::Connection& conn() const { return conn_; }
  Services& services() const { return services_; }

  std::optional<std::string> Text(std::string_view name) const;  // empty counts as absent
  std::string RequiredText(std::string_view name) const;         // 431 if absent
  // 431 naming the parameter when the value is not of the type.
  std::optional<int64_t> Long(std::string_view name) const;
  std::optional<bool> Bool(std::string_view name) const;
  // "yyyy-MM-dd" or "yyyy-MM-dd HH:mm:ss" (also with 'T'), a wall time in
  // `zone`; a date alone is its first second, or its last when end_of_day.
  std::optional<Instant> Date(std::string_view name, const TimeZone& zone,
                              bool end_of_day) const;

 private:
  std::string command_;
  const Caller& caller_;
  const Params& params_;
  store::Connection& conn_;
  Services& services_;
};

struct ParamSpec {
  std::string name;
  std::string type;  // CloudStack's names: string, uuid, date, long, integer, boolean
  bool required = false;
  std::string description;
};

struct CommandSpec {
  std::string name;
  std::string description;
  bool is_async = false;
  std::vector<Role> roles;  // roles allowed to call it
  std::vector<ParamSpec> params;
  std::vector<std::string> response_fields;  // listApis "response"
  std::function<ApiResponse(const Request&)> run;

  bool Allows(Role role) const;
};

// Every command, in listApis order.
const std::vector<CommandSpec>& AllCommands();
const CommandSpec* FindCommand(std::string_view name);  // case-insensitive

// Per-family registration (each in its own file).
void AddRecordCommands(std::vector<CommandSpec>& out);
void AddJobCommands(std::vector<CommandSpec>& out);
void AddInfoCommands(std::vector<CommandSpec>& out);

// "yyyy-MM-dd'T'HH:mm:ssZ" in UTC, as CloudStack formats dates in responses.
std::string ApiDate(Instant t);

}  // namespace usaged::api
