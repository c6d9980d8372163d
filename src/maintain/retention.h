#pragma once

#include <atomic>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/clock.h"
#include "store/connection.h"

namespace usaged::maintain {

// Retention (usage.retention.years): cloud_usage records whose window ended
// more than N years ago are deleted, with the helper-table rows of resource
// lifetimes that ended before then and that no window still to be billed or
// restated can need. 0 or -1 keep everything.

// now - `years` calendar years (29 February becomes 28 February).
Instant RetentionCutoff(Instant now, int years);

struct CleanupOptions {
  bool dry_run = false;   // count what would go, change nothing, record no job
  int batch_size = 5000;  // rows per delete transaction
  const std::atomic<bool>* stop = nullptr;  // checked between batches
};

struct CleanupSummary {
  int retention_years = 0;
  std::optional<Instant> cutoff;          // nullopt: retention keeps everything
  std::optional<Instant> helper_horizon;  // helper rows ending before this go
  // Rows deleted (or, in a dry run, that would be), per table, in order.
  std::vector<std::pair<std::string, int64_t>> rows;
  std::optional<int64_t> job_id;
  std::optional<std::string> skipped;  // why nothing ran (another job is running)
  int64_t total() const;
};

// One cleanup pass, recorded as a CLEANUP job (unless dry_run). Runs only
// while no other job is running in the database (GENERATE and REGENERATE run
// outside the job lock); otherwise returns with `skipped` set. The caller
// holds the job lock, so no scheduled usage job runs meanwhile. Deletes in
// batches of options.batch_size rows, one transaction each, counting each
// batch as a unit of the job.
CleanupSummary RunCleanup(store::Connection& conn, const Clock& clock,
                          const CleanupOptions& options = {});

// True when no CLEANUP job has been recorded in the 24 hours before `now`.
bool CleanupDue(store::Connection& conn, Instant now);

}  // namespace usaged::maintain
