#include <fmt/format.h>
#include <unistd.h>

#include <cstdlib>
#include <iostream>

#include "cli/app.h"
#include "job/regeneration.h"

namespace usaged::cli {
namespace {

struct RegenerateOptions {
  std::string start, end, reason;
  NowOption now;
  std::optional<int64_t> account, domain;
  std::optional<int> type;
};

std::string CliRequester() {
  const char* user = std::getenv("USER");
  if (!user || !*user) user = std::getenv("LOGNAME");
  return fmt::format("cli:{}", user && *user ? std::string(user) : fmt::format("uid {}", getuid()));
}

int Run(const GlobalOptions& options, const RegenerateOptions& o, job::JobKind kind) {
  job::RegenerationRequest request;
  request.kind = kind;
  request.start = ParseUtc(o.start, "--start");
  request.end = ParseUtc(o.end, "--end");
  request.account_id = o.account;
  request.domain_id = o.domain;
  request.usage_type = o.type;
  if (!o.reason.empty()) request.reason = o.reason;
  request.requester = CliRequester();
  auto clock = MakeClock(o.now);
  auto db = OpenReady(options);
  job::RegenerationResult r = job::RunRegeneration(*db.conn, *clock, request);
  std::cout << fmt::format("job {} ({}): units done {}/{}, failed {}; records deleted {}, "
                           "written {}\n",
                           r.job_id, job::ToString(kind), r.units_done, r.units_total,
                           r.units_failed, r.records_deleted, r.records_written);
  return r.ok() ? kExitOk : kExitJobFailed;
}

void AddCommand(CLI::App& app, const GlobalOptions& options, Action& action, job::JobKind kind,
                const std::string& name, const std::string& help) {
  auto o = std::make_shared<RegenerateOptions>();
  auto* cmd = app.add_subcommand(name, help);
  cmd->add_option("--start", o->start,
                  "Start of the first window (UTC \"YYYY-MM-DD HH:MM:SS\")")->required();
  cmd->add_option("--end", o->end,
                  "End of the last window: its boundary, or its last second (\"... 23:59:59\")")
      ->required();
  auto* account = cmd->add_option("--account", o->account, "Only this account id");
  cmd->add_option("--domain", o->domain, "Only the accounts of this domain and its sub-domains")
      ->excludes(account);
  cmd->add_option("--type", o->type, "Only this usage type id (see `usaged types`)");
  if (kind == job::JobKind::kRegenerate) {
    cmd->add_option("--reason", o->reason, "Why the records are replaced (kept with the job)")
        ->required();
  }
  AddNowOption(*cmd, o->now, "Take this UTC time as the current time");
  cmd->callback([&options, &action, o, kind] {
    action = [&options, o, kind] { return Run(options, *o, kind); };
  });
}

}  // namespace

void RegisterRegenerate(CLI::App& app, const GlobalOptions& options, Action& action) {
  AddCommand(app, options, action, job::JobKind::kGenerate, "generate",
             "Insert the records of billed windows that are missing (scope: all, --account, "
             "--domain, --type); existing records are kept");
  AddCommand(app, options, action, job::JobKind::kRegenerate, "regenerate",
             "Replace the records of billed windows with freshly parsed ones, one transaction "
             "per unit (scope: all, --account, --domain, --type)");
}

}  // namespace usaged::cli
