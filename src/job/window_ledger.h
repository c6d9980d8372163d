#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/window.h"
#include "store/connection.h"

namespace usaged::job {

// A unit of work: the accounts of one shard in one window. Its records and its
// done-mark commit in one transaction.
struct Unit {
  int64_t window_id = 0;
  Window window;
  int shard = 0;
  int shard_count = 1;
  int attempts = 0;
  // Several nodes: the fencing token of this process's claim and the job the
  // unit was claimed for.
  int64_t claim_token = 0;
  int64_t claim_job_id = 0;
  // The ingest lease token when the unit was claimed (see ClaimFence).
  int64_t claim_lease_token = 0;
};

// The windows usaged has planned (usaged_window) and the state of their units
// (usaged_unit). Windows are contiguous: each new window starts where the last
// planned one ends, so time is never skipped or covered twice.
class WindowLedger {
 public:
  explicit WindowLedger(store::Connection& conn) : conn_(conn) {}

  // The end of billed time: the start of the first window with a unit not
  // done, or the end of the last window if all are done; nullopt before the
  // first window is planned. Derived from the done-marks, never stored.
  std::optional<Instant> Checkpoint();
  // Where the next window starts (end of the last planned window).
  std::optional<Instant> PlannedUntil();

  // Plans every window from `from` (where planning continues) whose end is at
  // or before `due_before`, each with `shards` units, in one transaction.
  // Returns the windows added.
  std::vector<Window> PlanWindows(const WindowCalendar& calendar, Instant from,
                                  Instant due_before, int shards, Instant now);

  // Units not done, ordered by window then shard.
  std::vector<Unit> PendingUnits();

  // Marks a unit done inside the caller's transaction; returns false if it was
  // already done (the caller must then roll back).
  bool MarkDone(const Unit& unit, int64_t records, int64_t job_id, Instant now);
  // Records a failed attempt (own transaction). When this is the unit's
  // `alert_at_failures`-th failure (> 0), raises a USAGE_UNIT_FAILING alert in
  // the same transaction, so each unit alerts once.
  void RecordFailure(const Unit& unit, const std::string& error, Instant now,
                     int alert_at_failures = 0);

 private:
  store::Connection& conn_;
};

// Where the very first window starts when nothing is planned yet: right after
// the billing already in the database - the later of the Java server's last
// successful job (rows with start after end ignored) and the last record in
// cloud_usage - so history is not billed again; else the boundary at or
// before the oldest event. nullopt when there is nothing to bill.
std::optional<Instant> FindOrigin(store::Connection& conn, const WindowCalendar& calendar);

}  // namespace usaged::job
