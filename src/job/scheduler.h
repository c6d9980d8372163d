#pragma once

#include <atomic>
#include <functional>

#include "core/clock.h"
#include "core/settings.h"
#include "job/usage_run.h"
#include "store/connection.h"

namespace usaged::job {

// The first scheduled run time after `after`: usage.stats.job.exec.time in
// usage.execution.timezone, then every aggregation range from there (daily at
// 00:15, or hourly at :15, ...), as the Java server schedules its job.
Instant NextRunTime(const UsageSettings& settings, Instant after);

// One pass of the usage job (RunDueWindows, or a cluster node's pass).
using PassFn = std::function<RunSummary(const RunControl&)>;

struct SchedulerOptions {
  // How often the usage_job heartbeat is written and runs requested through
  // CloudStack (generateUsageRecords) are looked for.
  Millis heartbeat_every = std::chrono::seconds(60);
  // Runs one pass; unset: RunDueWindows on `conn`.
  PassFn pass;
  // Told `false` at least every 200 ms while the scheduler waits, `true` when
  // a pass starts and `false` when it ends: lets a service manager's watchdog
  // see that the loop is alive. Optional.
  std::function<void(bool running)> on_activity;
};

// Runs the usage job on schedule until `stop` becomes true, keeping
// CloudStack's usage_job protocol (job/cloudstack_jobs.h) meanwhile: a run
// requested through CloudStack starts at once. Settings are
// re-read before every run, so a changed range or exec time takes effect at
// the next run. The run in progress finishes its current unit before
// returning. Errors of one run are logged and the next run is awaited. After
// each run the housekeeping that is due (retention cleanup, sanity check)
// runs, so it never overlaps a usage job; then pending alerts are mailed
// (alert::DeliverAlertsAfterJob).
void RunScheduled(store::Connection& conn, const Clock& clock, const std::atomic<bool>& stop,
                  const SchedulerOptions& options = {});

}  // namespace usaged::job
