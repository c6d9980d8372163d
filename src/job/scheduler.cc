#include "job/scheduler.h"

#include <date/date.h>
#include <spdlog/spdlog.h>

#include <thread>

#include <unistd.h>

#include "alert/delivery.h"
#include "core/error.h"
#include "job/cloudstack_jobs.h"
#include "job/job_log.h"
#include "job/run_gate.h"
#include "job/usage_run.h"
#include "maintain/maintenance.h"

namespace usaged::job {

Instant NextRunTime(const UsageSettings& s, Instant after) {
  const TimeZone& zone = s.execution_zone;
  auto local_day = std::chrono::floor<date::days>(zone.ToLocal(after)) - date::days(1);
  LocalMillis first = local_day + std::chrono::hours(s.exec_hour) +
                      std::chrono::minutes(s.exec_minute);
  const std::chrono::minutes step(s.aggregation_range_minutes);
  LocalMillis candidate = first;
  while (zone.ToUtc(candidate) <= after) candidate += step;
  return zone.ToUtc(candidate);
}

namespace {

// Waits for the next scheduled run, writing the heartbeat meanwhile. Returns
// the usage_job row of a run requested through CloudStack if one arrives
// first, so that it starts at once.
class Waiter {
 public:
  Waiter(store::Connection& conn, const Clock& clock, const std::atomic<bool>& stop,
         const SchedulerOptions& options)
      : protocol_(conn, HostName(), static_cast<int64_t>(getpid())),
        clock_(clock),
        stop_(stop),
        options_(options) {}

  // A requested run stays pending (returned again) until Finish().
  std::optional<int64_t> WaitUntil(Instant when) {
    while (!stop_.load()) {
      if (options_.on_activity) options_.on_activity(false);
      Instant now = clock_.Now();
      if (now >= next_beat_) {
        next_beat_ = now + options_.heartbeat_every;
        if (!pending_) pending_ = Beat(now);
      }
      if (pending_) return pending_;
      if (now >= when) return std::nullopt;
      auto remaining = std::min(when, next_beat_) - now;
      std::this_thread::sleep_for(std::min<Millis>(remaining, Millis(200)));
    }
    return std::nullopt;
  }

  void Finish(int64_t row, const RunSummary& summary, int64_t exec_ms) {
    pending_.reset();
    try {
      protocol_.FinishRequestedRun(row, summary, exec_ms);
    } catch (const std::exception& e) {
      spdlog::error("usage_job: could not finish requested run {}: {}", row, e.what());
    }
  }

 private:
  // A database problem here must not stop the scheduler: the next beat tries
  // again, and the job reports its own errors.
  std::optional<int64_t> Beat(Instant now) {
    try {
      protocol_.Heartbeat(now);
      return protocol_.ClaimRequestedRun();
    } catch (const std::exception& e) {
      spdlog::warn("usage_job heartbeat failed: {}", e.what());
      return std::nullopt;
    }
  }

  CloudStackJobProtocol protocol_;
  const Clock& clock_;
  const std::atomic<bool>& stop_;
  SchedulerOptions options_;
  Instant next_beat_{};
  std::optional<int64_t> pending_;
};

}  // namespace

void RunScheduled(store::Connection& conn, const Clock& clock, const std::atomic<bool>& stop,
                  const SchedulerOptions& options) {
  RunControl control;
  control.stop = &stop;
  Waiter waiter(conn, clock, stop, options);
  while (!stop.load()) {
    Instant next;
    try {
      UsageSettings settings = LoadSettings(conn);
      next = NextRunTime(settings, clock.Now());
    } catch (const ConfigError& e) {
      spdlog::error("{}; retrying in one minute", e.what());
      waiter.WaitUntil(clock.Now() + std::chrono::minutes(1));
      continue;
    }
    spdlog::info("next usage job at {}", FormatUtc(next));
    std::optional<int64_t> requested = waiter.WaitUntil(next);
    if (stop.load()) break;
    if (requested) spdlog::info("usage job requested through CloudStack (usage_job {})", *requested);
    Instant started = clock.Now();
    RunSummary summary;
    // Waiting for a job the API started counts as running too.
    if (options.on_activity) options.on_activity(true);
    try {
      std::lock_guard<std::mutex> gate(ProcessJobMutex());
      summary = options.pass ? options.pass(control) : RunDueWindows(conn, clock, control);
    } catch (const std::exception& e) {
      spdlog::error("usage job failed: {}", e.what());
      summary.units_failed = 1;
    }
    if (requested) waiter.Finish(*requested, summary, (clock.Now() - started).count());
    if (!stop.load()) maintain::RunMaintenanceIfDue(conn, clock, &stop);
    alert::DeliverAlertsAfterJob(conn, clock);
    // The pass, its housekeeping and its alerts are done: waiting again.
    if (options.on_activity) options.on_activity(false);
  }
  spdlog::info("scheduler stopped");
}

}  // namespace usaged::job
