#include <fmt/format.h>

#include <iostream>

#include "alert/delivery.h"
#include "cli/app.h"
#include "cli/output.h"
#include "core/error.h"
#include "job/job_log.h"
#include "maintain/retention.h"
#include "maintain/sanity.h"

namespace usaged::cli {
namespace {

struct CleanupCliOptions {
  bool dry_run = false;
  NowOption now;
};

int RunCleanupCommand(const GlobalOptions& options, const CleanupCliOptions& o) {
  auto clock = MakeClock(o.now);
  auto db = OpenReady(options);
  // Deleting takes the job lock: it never runs beside a usage job. A dry run
  // only reads.
  std::unique_ptr<store::JobLock> lock;
  if (!o.dry_run) {
    lock = db.store->LockJobs();
    // Holding the lock, any job of the lock holders still marked RUNNING was
    // left by a process that stopped; it must not hold the cleanup back.
    job::JobLog(*db.conn).MarkInterrupted(clock->Now());
  }
  maintain::CleanupOptions cleanup;
  cleanup.dry_run = o.dry_run;
  maintain::CleanupSummary s = maintain::RunCleanup(*db.conn, *clock, cleanup);
  if (s.skipped) {
    std::cerr << "usaged: cleanup not run: " << *s.skipped << "\n";
    return kExitJobFailed;
  }
  if (!s.cutoff) {
    std::cout << fmt::format("usage.retention.years = {}: every record is kept\n",
                             s.retention_years);
    return kExitOk;
  }
  std::cout << fmt::format("usage.retention.years = {}: records ending before {}, helper rows "
                           "ending before {}{}\n",
                           s.retention_years, FormatUtc(*s.cutoff), FormatUtc(*s.helper_horizon),
                           s.job_id ? fmt::format(" (job {})", *s.job_id) : "");
  for (const auto& [table, rows] : s.rows) {
    std::cout << fmt::format("{} {}: {}\n", o.dry_run ? "would delete from" : "deleted from",
                             table, rows);
  }
  return kExitOk;
}

struct SanityCliOptions {
  std::string start, end, format = "table";
  NowOption now;
};

nlohmann::ordered_json Json(const auto& v) {
  return v ? nlohmann::ordered_json(*v) : nlohmann::ordered_json();
}

int RunSanityCommand(const GlobalOptions& options, const SanityCliOptions& o) {
  Format format = ParseFormat(o.format);
  maintain::SanityOptions sanity;
  if (!o.start.empty()) sanity.start = ParseUtc(o.start, "--start");
  if (!o.end.empty()) sanity.end = ParseUtc(o.end, "--end");
  auto clock = MakeClock(o.now);
  auto db = OpenReady(options);
  maintain::SanityReport report = maintain::RunSanityCheck(*db.conn, *clock, sanity);
  // Like the scheduled check, its alert is mailed right after it.
  alert::DeliverAlertsAfterJob(*db.conn, *clock);
  ResultTable table({"kind", "usage_type", "account_id", "usage_id", "window_start",
                     "window_end", "detail"});
  for (const auto& f : report.findings) {
    table.Add({f.kind, Json(f.usage_type), Json(f.account_id), Json(f.usage_id),
               f.window_start ? nlohmann::ordered_json(FormatUtc(*f.window_start))
                              : nlohmann::ordered_json(),
               f.window_end ? nlohmann::ordered_json(FormatUtc(*f.window_end))
                            : nlohmann::ordered_json(),
               f.detail});
  }
  table.Print(format, std::cout);
  std::cerr << fmt::format("sanity check (job {}) of {} to {}: {} finding(s)\n", report.job_id,
                           FormatUtc(report.start), FormatUtc(report.end),
                           report.findings.size());
  return report.findings.empty() ? kExitOk : kExitJobFailed;
}

}  // namespace

void RegisterMaintenance(CLI::App& app, const GlobalOptions& options, Action& action) {
  auto o = std::make_shared<CleanupCliOptions>();
  auto* cmd = app.add_subcommand(
      "cleanup", "Delete cloud_usage records older than usage.retention.years (and helper rows "
                 "no longer needed), in batches, as a CLEANUP job");
  cmd->add_flag("--dry-run", o->dry_run, "Count what would be deleted; change nothing");
  AddNowOption(*cmd, o->now, "Take this UTC time as the current time");
  cmd->callback([&options, &action, o] {
    action = [&options, o] { return RunCleanupCommand(options, *o); };
  });

  auto so = std::make_shared<SanityCliOptions>();
  auto* sanity = app.add_subcommand(
      "sanity", "Check billed records: counts per resource and type, records after removal, "
                "overlaps, duplicate records and events, raw_usage, window gaps. Findings go to "
                "sanity.log under --log-dir. Exit status 1 on findings");
  sanity->add_option("--start", so->start, "Start of the range (default: the checkpoint minus "
                                           "usage.sanity.check.interval days)");
  sanity->add_option("--end", so->end, "End of the range (default: the checkpoint)");
  sanity->add_option("--format", so->format, "table, json or csv")->capture_default_str();
  AddNowOption(*sanity, so->now, "Take this UTC time as the current time");
  sanity->callback([&options, &action, so] {
    action = [&options, so] { return RunSanityCommand(options, *so); };
  });
}

}  // namespace usaged::cli
