#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>

#include "cluster/unit_executor.h"
#include "core/clock.h"
#include "core/error.h"
#include "core/settings.h"
#include "job/window_ledger.h"
#include "store/account_directory.h"
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
  // Opens a connection for each parallel worker (usage.threads). Unset: units
  // run one at a time on the run's own connection.
  cluster::ConnectFn connect;
  bool stop_requested() const { return stop && stop->load(); }
};

// This process may no longer commit a unit: another node holds it now.
class UnitFenceError : public Error {
 public:
  using Error::Error;
};

// Guards a unit's commit where several processes share the units (a cluster
// claim). Both calls run inside the unit's transaction.
class UnitFence {
 public:
  virtual ~UnitFence() = default;
  // Before anything is written: throws UnitFenceError unless the unit may
  // still be committed by this process.
  virtual void CheckHeld(store::Connection& conn, const Unit& unit) = 0;
  // After the done-mark: gives the claim up and records who did the unit.
  // May also throw UnitFenceError.
  virtual void Release(store::Connection& conn, const Unit& unit) = 0;
  // After UnitFenceError, in a transaction of its own: lets go of whatever
  // this process still holds of the unit, so another pass may take it.
  virtual void Abandon(store::Connection& conn, const Unit& unit) = 0;
};

// Parses one unit and commits its records with its done-mark (and, with a
// fence, only while the claim is held), retrying transient database errors.
// A failure is recorded on the unit, which stays pending for the next run.
// Throws only if even recording the failure is impossible (database gone).
cluster::UnitOutcome RunUnit(store::Connection& conn, const Unit& unit,
                             const UsageSettings& settings,
                             const store::AccountDirectory& accounts, int64_t job_id,
                             const Clock& clock, UnitFence* fence = nullptr);

// The ingest half of a pass: copies accounts and events, plans the windows
// that are due, applies the events they can see, marks restatements and heals
// the helper tables. Fills the ingest fields of `summary`.
void IngestDue(store::Connection& conn, const Clock& clock, const UsageSettings& settings,
               Instant started, RunSummary& summary);

// Re-parses the billed windows late events changed, as a RESTATE job; returns
// the number of units restated.
int64_t RunRestatements(store::Connection& conn, const UsageSettings& settings,
                        const Clock& clock);

// Writes the cloud_usage.usage_job row of a finished RUN job covering
// [range_start, last millisecond of the last window], starting right after the
// last successful job when that is earlier (CloudStack's view).
void WriteCloudStackRun(store::Connection& conn, Instant range_start, Instant last_millisecond,
                        int64_t exec_ms, bool success, const Clock& clock);

// Reads the usage settings from cloud.configuration (CloudStack's keys and
// defaults). Throws ConfigError naming a key whose value cannot be used.
UsageSettings LoadSettings(store::Connection& conn);
// Only usage.aggregation.timezone (one query, where LoadSettings makes one
// per setting): what a request that reads records needs.
TimeZone LoadAggregationZone(store::Connection& conn);

// One pass of the scheduled usage job: copy accounts and events from cloud,
// plan every window that has ended (aligned to the aggregation range, starting
// at the derived checkpoint), apply the events those windows need, then parse
// each pending (window, shard) unit and commit its records with its done-mark.
// A failing unit is recorded and the others go on; it is retried by the next
// pass. When nothing is due no job row is written.
RunSummary RunDueWindows(store::Connection& conn, const Clock& clock,
                         const RunControl& control = {});

}  // namespace usaged::job
