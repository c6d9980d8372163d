#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/time.h"
#include "store/connection.h"

namespace usaged::api {

// The state of billing, read from the database (so it is right whichever
// process runs the jobs): what listUsageServerMetrics, /metrics and /healthz
// report.
struct ServerStatus {
  std::optional<Instant> checkpoint;   // end of billed time (derived)
  int64_t lag_seconds = 0;             // now - checkpoint (0 before the first window)
  int64_t max_lag_seconds = 0;         // healthy while lag_seconds <= this
  std::optional<Instant> last_run;     // when the newest job finished
  std::optional<std::string> last_run_state;
  std::optional<Instant> last_success_end;  // cloud_usage.usage_job, as CloudStack reports it
  int64_t pending_units = 0;
  int64_t failed_attempts = 0;  // units with a recorded failure still pending
  int64_t records = 0;          // rows in cloud_usage
  int64_t records_written = 0;  // by usaged jobs
  int64_t events_ingested = 0;  // copied events marked processed
  int64_t events_pending = 0;
  int64_t quarantined = 0;
  int64_t healed = 0;
  std::map<std::string, int64_t> alerts;                  // by type
  std::map<std::pair<std::string, std::string>, int64_t> jobs;  // by (kind, state)
  // Durations of the newest finished jobs, by kind, in seconds.
  std::map<std::string, std::vector<double>> job_seconds;
};

// `max_lag_seconds` 0: twice the aggregation range.
ServerStatus ReadStatus(store::Connection& conn, Instant now, int64_t max_lag_seconds);

// Prometheus text exposition format (version 0.0.4).
std::string PrometheusText(const ServerStatus& status);

}  // namespace usaged::api
