#include "job/scheduler.h"

#include <date/date.h>
#include <spdlog/spdlog.h>

#include <thread>

#include "core/error.h"
#include "job/usage_run.h"

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

// Sleeps until the clock reaches `when` or `stop` is set, polling so that a
// signal is noticed within a fraction of a second.
void SleepUntil(const Clock& clock, Instant when, const std::atomic<bool>& stop) {
  while (!stop.load()) {
    Instant now = clock.Now();
    if (now >= when) return;
    auto remaining = when - now;
    std::this_thread::sleep_for(std::min<Millis>(remaining, Millis(200)));
  }
}

}  // namespace

void RunScheduled(store::Connection& conn, const Clock& clock, const std::atomic<bool>& stop) {
  RunControl control{&stop};
  while (!stop.load()) {
    Instant next;
    try {
      UsageSettings settings = LoadSettings(conn);
      next = NextRunTime(settings, clock.Now());
    } catch (const ConfigError& e) {
      spdlog::error("{}; retrying in one minute", e.what());
      SleepUntil(clock, clock.Now() + std::chrono::minutes(1), stop);
      continue;
    }
    spdlog::info("next usage job at {}", FormatUtc(next));
    SleepUntil(clock, next, stop);
    if (stop.load()) break;
    try {
      RunDueWindows(conn, clock, control);
    } catch (const std::exception& e) {
      spdlog::error("usage job failed: {}", e.what());
    }
  }
  spdlog::info("scheduler stopped");
}

}  // namespace usaged::job
