#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "core/time.h"
#include "job/usage_run.h"
#include "store/connection.h"

namespace usaged::job {

// The part of cloud_usage.usage_job that CloudStack's management server reads
// and writes while a usage server runs:
//  - one open RECURRING row (job_type 0, end_millis 0) names the active usage
//    server; its heartbeat is refreshed every minute. listUsageServerMetrics
//    shows its host and the newest heartbeat.
//  - generateUsageRecords inserts an open SINGLE row (job_type 1, scheduled 0)
//    for the host and pid of that row; the usage server marks it scheduled,
//    runs a job and finishes the row.
// A usage server whose heartbeat is older than five minutes is taken over,
// as the Java server does. Only `usaged run` (scheduled) keeps this protocol;
// `run --once` is not a resident server and leaves no open row.
class CloudStackJobProtocol {
 public:
  CloudStackJobProtocol(store::Connection& conn, std::string host, int64_t pid);

  // Makes sure an open recurring row exists and refreshes its heartbeat if
  // this process owns it, taking it over from a silent owner. Returns true
  // if this process owns it afterwards.
  bool Heartbeat(Instant now);

  // Claims the newest requested run (open SINGLE row not yet scheduled),
  // marking it scheduled so no other server runs it too.
  std::optional<int64_t> ClaimRequestedRun();

  // Finishes a claimed run's row from the job's outcome. The range written is
  // the one the job billed (never inverted); a job that found nothing due
  // records the last billed millisecond as both start and end.
  void FinishRequestedRun(int64_t row_id, const RunSummary& summary, int64_t exec_ms);

 private:
  store::Connection& conn_;
  std::string host_;
  int64_t pid_;
};

}  // namespace usaged::job
