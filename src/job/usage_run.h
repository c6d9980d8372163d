#pragma once

#include <atomic>
#include <cstdint>
#include <optional>

#include "core/clock.h"
#include "core/settings.h"
#include "store/connection.h"

namespace usaged::job {

// What one pass of the usage job did.
struct RunSummary {
  int64_t events_copied = 0;
  int64_t events_applied = 0;
  int64_t events_quarantined = 0;
  int64_t late_events = 0;
  int64_t late_refused = 0;
  int64_t restated_units = 0;
  int64_t healed = 0;  // helper-row repairs of the healing step
  int64_t windows_planned = 0;
  int64_t units_done = 0;
  int64_t units_failed = 0;
  int64_t records = 0;
  std::optional<int64_t> job_id;  // nullopt when nothing was due
  std::optional<Instant> checkpoint;
  double ingest_seconds = 0;  // copying and applying events
  double units_seconds = 0;   // parsing and committing units
  bool interrupted = false;  // stopped (SIGTERM) before every unit was done
  bool ok() const { return units_failed == 0; }
};

struct RunControl {
  // When set to true, the run finishes the unit in progress and returns.
  const std::atomic<bool>* stop = nullptr;
  bool stop_requested() const { return stop && stop->load(); }
};

// Reads the usage settings from cloud.configuration (CloudStack's keys and
// defaults). Throws ConfigError naming a key whose value cannot be used.
UsageSettings LoadSettings(store::Connection& conn);

// One pass of the scheduled usage job: copy accounts and events from cloud,
// plan every window that has ended (aligned to the aggregation range, starting
// at the derived checkpoint), apply the events those windows need, then parse
// each pending (window, shard) unit and commit its records with its done-mark.
// A failing unit is recorded and the others go on; it is retried by the next
// pass. When nothing is due no job row is written.
RunSummary RunDueWindows(store::Connection& conn, const Clock& clock,
                         const RunControl& control = {});

}  // namespace usaged::job
