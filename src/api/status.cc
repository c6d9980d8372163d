#include "api/status.h"

#include <fmt/format.h>

#include <algorithm>

#include "job/job_log.h"
#include "job/usage_run.h"
#include "job/window_ledger.h"

namespace usaged::api {
namespace {

constexpr int kDurationSample = 1000;
const std::vector<double> kBuckets = {1, 5, 15, 60, 300, 900, 3600, 4 * 3600, 24 * 3600};

int64_t Count(store::Connection& conn, std::string_view sql) {
  return conn.QueryInt(sql).value_or(0);
}

void ReadJobs(store::Connection& conn, ServerStatus& s) {
  auto& q = conn.Prepare("SELECT kind, state, count(*), sum(records) FROM ${usage}.usaged_job "
                         "GROUP BY kind, state");
  q.Reset();
  while (q.Next()) {
    s.jobs[{q.Text(0), q.Text(1)}] = q.Int(2);
    s.records_written += q.OptInt(3).value_or(0);
  }
  auto& d = conn.Prepare(fmt::format("SELECT kind, created_at, finished_at, state FROM "
                                     "${{usage}}.usaged_job WHERE finished_at IS NOT NULL ORDER "
                                     "BY id DESC LIMIT {}", kDurationSample));
  d.Reset();
  bool newest = true;
  while (d.Next()) {
    Instant created = d.Time(1);
    Instant finished = d.Time(2);
    if (newest) {
      s.last_run = finished;
      s.last_run_state = d.Text(3);
      newest = false;
    }
    s.job_seconds[d.Text(0)].push_back(
        std::chrono::duration<double>(std::max(finished - created, Millis(0))).count());
  }
}

void ReadAlerts(store::Connection& conn, ServerStatus& s) {
  auto& q = conn.Prepare("SELECT type, count(*) FROM ${usage}.usaged_alert GROUP BY type");
  q.Reset();
  while (q.Next()) s.alerts[q.Text(0)] = q.Int(1);
}

std::string Escape(const std::string& label) {
  std::string out;
  for (char c : label) {
    if (c == '\\' || c == '"') out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  return out;
}

void Metric(std::string& out, std::string_view name, std::string_view type, std::string_view help) {
  out += fmt::format("# HELP {} {}\n# TYPE {} {}\n", name, help, name, type);
}

}  // namespace

ServerStatus ReadStatus(store::Connection& conn, Instant now, int64_t max_lag_seconds) {
  ServerStatus s;
  s.checkpoint = job::WindowLedger(conn).Checkpoint();
  if (s.checkpoint) {
    s.lag_seconds = std::chrono::duration_cast<std::chrono::seconds>(now - *s.checkpoint).count();
  }
  s.max_lag_seconds = max_lag_seconds;
  if (s.max_lag_seconds <= 0) {
    s.max_lag_seconds = 2 * 60 * int64_t{job::LoadSettings(conn).aggregation_range_minutes};
  }
  if (auto ms = job::JobLog(conn).LastSuccessEndMillis()) s.last_success_end = FromEpochMillis(*ms);
  s.pending_units = Count(conn, "SELECT count(*) FROM ${usage}.usaged_unit WHERE state <> 'done'");
  s.failed_attempts = Count(conn, "SELECT count(*) FROM ${usage}.usaged_unit WHERE state <> "
                                  "'done' AND attempts > 0");
  s.records = Count(conn, "SELECT count(*) FROM ${usage}.cloud_usage");
  s.events_ingested = Count(conn, "SELECT count(*) FROM ${usage}.usage_event WHERE processed = 1");
  s.events_pending = Count(conn, "SELECT count(*) FROM ${usage}.usage_event WHERE processed = 0");
  s.quarantined = Count(conn, "SELECT count(*) FROM ${usage}.usaged_quarantine");
  s.healed = Count(conn, "SELECT count(*) FROM ${usage}.usaged_healing");
  ReadJobs(conn, s);
  ReadAlerts(conn, s);
  return s;
}

std::string PrometheusText(const ServerStatus& s) {
  std::string out;
  auto gauge = [&](std::string_view name, std::string_view help, double value) {
    Metric(out, name, "gauge", help);
    out += fmt::format("{} {}\n", name, value);
  };
  auto counter = [&](std::string_view name, std::string_view help, int64_t value) {
    Metric(out, name, "counter", help);
    out += fmt::format("{} {}\n", name, value);
  };
  gauge("usaged_checkpoint_lag_seconds", "Seconds between now and the end of billed time.",
        static_cast<double>(s.lag_seconds));
  gauge("usaged_checkpoint_timestamp_seconds", "End of billed time (Unix seconds; 0: none).",
        s.checkpoint ? static_cast<double>(ToEpochMillis(*s.checkpoint) / 1000) : 0.0);
  gauge("usaged_units_pending", "Units (window, shard) not billed yet.",
        static_cast<double>(s.pending_units));
  gauge("usaged_units_failing", "Pending units with a failed attempt.",
        static_cast<double>(s.failed_attempts));
  gauge("usaged_records", "Rows in cloud_usage.cloud_usage.", static_cast<double>(s.records));
  counter("usaged_records_written_total", "Records written by usaged jobs.", s.records_written);
  counter("usaged_events_ingested_total", "Usage events applied.", s.events_ingested);
  gauge("usaged_events_pending", "Copied usage events not applied yet.",
        static_cast<double>(s.events_pending));
  counter("usaged_events_quarantined_total", "Usage events refused and quarantined.",
          s.quarantined);
  counter("usaged_duplicates_healed_total", "Helper-table repairs of the healing step.", s.healed);
  Metric(out, "usaged_alerts_total", "counter", "Alerts raised, by type.");
  for (const auto& [type, n] : s.alerts) {
    out += fmt::format("usaged_alerts_total{{type=\"{}\"}} {}\n", Escape(type), n);
  }
  // A running job is not counted until it ends (a counter never goes down);
  // the gauge shows what runs now.
  Metric(out, "usaged_jobs_total", "counter", "Jobs, by kind and final state.");
  for (const auto& [key, n] : s.jobs) {
    if (key.second == "RUNNING") continue;
    out += fmt::format("usaged_jobs_total{{kind=\"{}\",state=\"{}\"}} {}\n", Escape(key.first),
                       Escape(key.second), n);
  }
  Metric(out, "usaged_jobs_running", "gauge", "Jobs running now, by kind.");
  for (const auto& [key, n] : s.jobs) {
    if (key.second != "RUNNING") continue;
    out += fmt::format("usaged_jobs_running{{kind=\"{}\"}} {}\n", Escape(key.first), n);
  }
  Metric(out, "usaged_job_duration_seconds", "histogram",
         "Durations of the newest finished jobs, by kind.");
  for (const auto& [kind, samples] : s.job_seconds) {
    double sum = 0;
    for (double v : samples) sum += v;
    for (double le : kBuckets) {
      auto n = std::count_if(samples.begin(), samples.end(), [&](double v) { return v <= le; });
      out += fmt::format("usaged_job_duration_seconds_bucket{{kind=\"{}\",le=\"{}\"}} {}\n",
                         Escape(kind), le, n);
    }
    out += fmt::format("usaged_job_duration_seconds_bucket{{kind=\"{}\",le=\"+Inf\"}} {}\n",
                       Escape(kind), samples.size());
    out += fmt::format("usaged_job_duration_seconds_sum{{kind=\"{}\"}} {}\n", Escape(kind), sum);
    out += fmt::format("usaged_job_duration_seconds_count{{kind=\"{}\"}} {}\n", Escape(kind),
                       samples.size());
  }
  return out;
}

}  // namespace usaged::api
