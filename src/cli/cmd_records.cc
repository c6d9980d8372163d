#include <fmt/format.h>

#include <iostream>

#include "cli/app.h"
#include "cli/output.h"
#include "cli/record_query.h"
#include "cluster/node_status.h"
#include "core/usage_types.h"
#include "core/error.h"
#include "ingest/quarantine.h"
#include "job/job_log.h"

namespace usaged::cli {
namespace {

struct RecordsOptions {
  std::optional<int64_t> account;
  std::optional<int> type;
  std::string start, end, format = "table";
};

struct ListOptions {
  std::string format = "table";
  NowOption now;  // jobs: the time a running job's duration is measured to
};

nlohmann::ordered_json Opt(const std::optional<int64_t>& v) {
  return v ? nlohmann::ordered_json(*v) : nlohmann::ordered_json();
}
nlohmann::ordered_json Opt(const std::optional<std::string>& v) {
  return v ? nlohmann::ordered_json(*v) : nlohmann::ordered_json();
}
nlohmann::ordered_json Opt(const std::optional<Instant>& v) {
  return v ? nlohmann::ordered_json(FormatUtc(*v)) : nlohmann::ordered_json();
}

// "all", "account 5", "domain 2", "type 1", "account 5, type 1".
std::string ScopeText(const job::JobRecord& j) {
  std::string out;
  auto add = [&](const std::string& part) { out += (out.empty() ? "" : ", ") + part; };
  if (j.scope_account_id) add(fmt::format("account {}", *j.scope_account_id));
  if (j.scope_domain_id) add(fmt::format("domain {}", *j.scope_domain_id));
  if (j.scope_usage_type) add(fmt::format("type {}", *j.scope_usage_type));
  return out.empty() ? "all" : out;
}

int PrintJobs(const GlobalOptions& options, Format format, const NowOption& now) {
  auto clock = MakeClock(now);
  auto db = OpenReady(options);
  ResultTable table({"id", "kind", "state", "range_start", "range_end", "scope", "account",
                     "domain", "usage_type", "reason", "requester", "progress", "units_done",
                     "units_total", "units_failed", "records", "host", "pid", "created",
                     "finished", "duration_s", "error", "nodes"});
  const auto nodes = cluster::UnitsByNode(*db.conn);
  for (const auto& j : job::JobLog(*db.conn).List(1000)) {
    // A running job's duration so far; a job stopped without a finish time
    // has none.
    nlohmann::ordered_json duration;
    if (j.finished_at) {
      duration = (*j.finished_at - j.created_at).count() / 1000.0;
    } else if (j.state == "RUNNING") {
      duration = std::max<int64_t>(0, (clock->Now() - j.created_at).count()) / 1000.0;
    }
    table.Add({j.id, j.kind, j.state, Opt(j.range_start), Opt(j.range_end), ScopeText(j),
               Opt(j.scope_account_id), Opt(j.scope_domain_id),
               j.scope_usage_type ? nlohmann::ordered_json(*j.scope_usage_type)
                                  : nlohmann::ordered_json(),
               Opt(j.reason), Opt(j.requester),
               fmt::format("{}/{}", j.units_done, j.units_total), j.units_done, j.units_total,
               j.units_failed, j.records, j.host, j.pid, FormatUtc(j.created_at),
               Opt(j.finished_at), duration, Opt(j.error),
               nodes.count(j.id) ? nlohmann::ordered_json(nodes.at(j.id))
                                 : nlohmann::ordered_json()});
  }
  table.Print(format, std::cout);
  return kExitOk;
}

int PrintQuarantine(const GlobalOptions& options, Format format) {
  auto db = OpenReady(options);
  ResultTable table({"id", "source", "source_id", "event_type", "account_id", "event_time",
                     "reason", "quarantined_at"});
  for (const auto& q : ingest::ListQuarantine(*db.conn, 10000)) {
    table.Add({q.id, q.source, q.source_id, q.event_type, Opt(q.account_id), Opt(q.event_time),
               q.reason, FormatUtc(q.quarantined_at)});
  }
  table.Print(format, std::cout);
  return kExitOk;
}

int PrintRestatements(const GlobalOptions& options, Format format) {
  auto db = OpenReady(options);
  ResultTable table({"id", "window_start", "window_end", "account_id", "event_id", "state",
                     "job_id", "records_before", "records_after", "created_at", "done_at"});
  auto& q = db.conn->Prepare(
      "SELECT r.id, w.start_date, w.end_date, r.account_id, r.event_id, r.state, r.job_id, "
      "r.records_before, r.records_after, r.created_at, r.done_at FROM "
      "${usage}.usaged_restatement r JOIN ${usage}.usaged_window w ON w.id = r.window_id "
      "ORDER BY r.id DESC");
  while (q.Next()) {
    table.Add({q.Int(0), FormatUtc(q.Time(1)), FormatUtc(q.Time(2)), q.Int(3), q.Int(4), q.Text(5),
               Opt(q.OptInt(6)), Opt(q.OptInt(7)), Opt(q.OptInt(8)), FormatUtc(q.Time(9)),
               Opt(q.OptTime(10))});
  }
  q.Reset();
  table.Print(format, std::cout);
  return kExitOk;
}

}  // namespace

void RegisterRecords(CLI::App& app, const GlobalOptions& options, Action& action) {
  auto opts = std::make_shared<RecordsOptions>();
  auto* cmd = app.add_subcommand("records", "List cloud_usage records, ordered by window, "
                                            "account, type and key");
  cmd->add_option("--account", opts->account, "Only this account id");
  cmd->add_option("--type", opts->type, "Only this usage type id");
  cmd->add_option("--start", opts->start, "Records starting at or after this UTC time");
  cmd->add_option("--end", opts->end, "Records ending at or before this UTC time");
  cmd->add_option("--format", opts->format, "table, json or csv")->capture_default_str();
  cmd->callback([&options, &action, opts] {
    action = [&options, opts] {
      RecordFilter filter;
      filter.account_id = opts->account;
      filter.usage_type = opts->type;
      if (opts->type && !FindUsageType(*opts->type)) {
        throw InputError(fmt::format("invalid --type {}: not a CloudStack usage type id (see "
                                     "`usaged types`)", *opts->type));
      }
      if (!opts->start.empty()) filter.start = ParseUtc(opts->start, "--start");
      if (!opts->end.empty()) filter.end = ParseUtc(opts->end, "--end");
      if (filter.start && filter.end && *filter.start > *filter.end) {
        throw InputError("--start is after --end");
      }
      Format format = ParseFormat(opts->format);
      auto db = OpenReady(options);
      RecordTable(*db.conn, filter).Print(format, std::cout);
      return kExitOk;
    };
  });
}

void RegisterJobs(CLI::App& app, const GlobalOptions& options, Action& action) {
  auto jobs_opts = std::make_shared<ListOptions>();
  auto* jobs = app.add_subcommand("jobs", "List usage jobs (newest first) with range, scope and "
                                          "progress");
  jobs->add_option("--format", jobs_opts->format, "table, json or csv")->capture_default_str();
  AddNowOption(*jobs, jobs_opts->now,
               "Measure running jobs' durations to this UTC time (default: the clock)");
  jobs->callback([&options, &action, jobs_opts] {
    action = [&options, jobs_opts] {
      return PrintJobs(options, ParseFormat(jobs_opts->format), jobs_opts->now);
    };
  });

  auto q_opts = std::make_shared<ListOptions>();
  auto* quarantine = app.add_subcommand("quarantine", "List events usaged refused, with reasons");
  quarantine->add_option("--format", q_opts->format, "table, json or csv")->capture_default_str();
  quarantine->callback([&options, &action, q_opts] {
    action = [&options, q_opts] { return PrintQuarantine(options, ParseFormat(q_opts->format)); };
  });

  auto r_opts = std::make_shared<ListOptions>();
  auto* restatements = app.add_subcommand(
      "restatements", "List billed windows re-parsed because of late events");
  restatements->add_option("--format", r_opts->format, "table, json or csv")
      ->capture_default_str();
  restatements->callback([&options, &action, r_opts] {
    action = [&options, r_opts] { return PrintRestatements(options, ParseFormat(r_opts->format)); };
  });

  auto* types = app.add_subcommand("types", "List CloudStack usage types (listUsageTypes)");
  auto t_opts = std::make_shared<ListOptions>();
  types->add_option("--format", t_opts->format, "table, json or csv")->capture_default_str();
  types->callback([&action, t_opts] {
    action = [t_opts] {
      Format format = ParseFormat(t_opts->format);
      ResultTable table({"usagetypeid", "name", "description"});
      for (const auto& t : AllUsageTypes()) {
        table.Add({t.id, std::string(t.name), std::string(t.description)});
      }
      table.Print(format, std::cout);
      return kExitOk;
    };
  });
}

}  // namespace usaged::cli
