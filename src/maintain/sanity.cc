#include "maintain/sanity.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "alert/alert.h"
#include "core/error.h"
#include "job/job_log.h"
#include "job/usage_run.h"
#include "job/window_ledger.h"

namespace usaged::maintain {
namespace {

std::string Describe(const SanityFinding& f) {
  std::string where;
  if (f.usage_type) where += fmt::format(" type {}", *f.usage_type);
  if (f.account_id) where += fmt::format(" account {}", *f.account_id);
  if (f.usage_id) where += fmt::format(" resource {}", *f.usage_id);
  return fmt::format("{}{}: {}", f.kind, where, f.detail);
}

// The sanity check's own log: the "sanity" logger, which `--log-dir` sends
// to sanity.log besides stderr; the default logger where none is set up.
std::shared_ptr<spdlog::logger> SanityLogger() {
  auto logger = spdlog::get("sanity");
  return logger ? logger : spdlog::default_logger();
}

void Store(store::Connection& conn, int64_t job_id, const SanityReport& report, Instant now) {
  store::Transaction tx(conn);
  for (const auto& f : report.findings) {
    conn.Run("INSERT INTO ${usage}.usaged_sanity_finding (job_id, kind, usage_type, account_id, "
             "usage_id, window_start, window_end, detail, found_at) VALUES "
             "(?, ?, ?, ?, ?, ?, ?, ?, ?)",
             job_id, f.kind, f.usage_type, f.account_id, f.usage_id, f.window_start,
             f.window_end, f.detail.substr(0, 1024), now);
  }
  if (!report.findings.empty()) {
    // One alert per check, whatever the number of findings: the records are
    // billed already and nothing retries them, so the operator reviews the
    // findings and corrects what is wrong.
    std::string content = fmt::format(
        "The usaged sanity check (job {}) of the records billed from {} to {} UTC found {} "
        "problem(s):\n\n",
        job_id, FormatUtc(report.start), FormatUtc(report.end), report.findings.size());
    for (size_t i = 0; i < report.findings.size() && i < 20; ++i) {
      content += Describe(report.findings[i]) + "\n";
    }
    if (report.findings.size() > 20) {
      content += fmt::format("... and {} more\n", report.findings.size() - 20);
    }
    content += fmt::format(
        "\nThe records stay as they are until someone corrects them. Every finding is in "
        "cloud_usage.usaged_sanity_finding (job {}) and in sanity.log under --log-dir; `usaged "
        "sanity --start \"{}\" --end \"{}\"` checks the range again, and `usaged regenerate` "
        "rebuilds the records of a range from the events.\n",
        job_id, FormatUtc(report.start), FormatUtc(report.end));
    alert::RaiseAlert(conn, now, alert::alert_type::kSanityFinding,
                      fmt::format("usaged: the sanity check found {} problem(s) in billed records",
                                  report.findings.size()),
                      content);
  }
  tx.Commit();
}

}  // namespace

bool SanityDue(store::Connection& conn, Instant now, int interval_days) {
  if (interval_days <= 0) return false;
  return conn.QueryInt("SELECT count(*) FROM ${usage}.usaged_job WHERE kind = 'SANITY' AND "
                       "created_at > ?", now - std::chrono::hours(24 * interval_days)) == 0;
}

SanityReport RunSanityCheck(store::Connection& conn, const Clock& clock,
                            const SanityOptions& options) {
  const Instant now = clock.Now();
  SanityReport report;
  const int days = std::max(1, job::LoadSettings(conn).sanity_check_interval_days);
  report.end = options.end ? *options.end : job::WindowLedger(conn).Checkpoint().value_or(now);
  report.start = options.start ? *options.start : report.end - std::chrono::hours(24 * days);
  if (report.start >= report.end) {
    throw InputError(fmt::format("the sanity range is empty or inverted: start {} is not before "
                                 "end {}", FormatUtc(report.start), FormatUtc(report.end)));
  }
  auto log = SanityLogger();
  job::JobStart start;
  start.kind = job::JobKind::kSanity;
  start.range_start = report.start;
  start.range_end = report.end;
  start.units_total = 5;  // the checks
  job::JobLog jobs(conn);
  report.job_id = jobs.Start(start, now);
  log->info("check {} of {} to {} started", report.job_id, FormatUtc(report.start),
            FormatUtc(report.end));
  using Check = void (*)(store::Connection&, Instant, Instant, std::vector<SanityFinding>&);
  for (Check check : {CheckRecordCounts, CheckOverlapsAndDuplicates, CheckDuplicateEvents,
                      CheckRawUsage, CheckWindowGaps}) {
    check(conn, report.start, report.end, report.findings);
    jobs.AddUnitDoneOutsideUnit(report.job_id, 0);
  }
  for (const auto& f : report.findings) log->warn("{}", Describe(f));
  Store(conn, report.job_id, report, clock.Now());
  std::optional<std::string> summary;
  if (!report.findings.empty()) {
    summary = fmt::format("{} finding(s); see `usaged sanity` or usaged_sanity_finding",
                          report.findings.size());
  }
  // The findings' alert above is the only one: a FAILED sanity job is not a
  // failed usage job whose units the next run retries.
  jobs.FinishWithOwnAlert(report.job_id,
                          summary ? job::JobState::kFailed : job::JobState::kSucceeded, summary,
                          clock.Now());
  log->info("check {} finished: {} finding(s)", report.job_id, report.findings.size());
  log->flush();
  return report;
}

}  // namespace usaged::maintain
