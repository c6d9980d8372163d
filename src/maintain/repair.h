#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/time.h"
#include "store/connection.h"

namespace usaged::maintain {

// One line of the repair report: how many rows of one table have one
// problem, for one usage type (or event type) and account, over which dates,
// and what repair does (or did) about them.
struct RepairFinding {
  std::string table;    // e.g. "cloud_usage", "usage_job", "usage_event"
  std::string problem;  // e.g. "duplicate", "conflict", "inverted_range"
  std::optional<int64_t> usage_type;
  std::optional<std::string> event_type;
  std::optional<int64_t> account_id;
  int64_t rows = 0;
  std::optional<Instant> first;  // earliest start (or time) of those rows
  std::optional<Instant> last;   // latest end (or time) of those rows
  std::string action;  // "moved" (to the table's *_removed copy), "keyed", "ended", "kept", ...
};

struct RepairOptions {
  // Report only: read the database and change nothing (works on a database
  // that has CloudStack's schema only, before `usaged init`).
  bool dry_run = false;
  Instant now{};
  // Rows of cloud_usage handled per transaction (rounded up to whole windows).
  int64_t batch_rows = 5000;
};

struct RepairReport {
  // Sorted by table, problem, usage type, event type, account.
  std::vector<RepairFinding> findings;
  // Where usaged continues billing after the repair (nullopt: nothing to bill).
  std::optional<Instant> continue_from;
  // Rows moved to audit tables, keyed or changed (0 for a dry run, and for a
  // second run on a repaired database).
  int64_t changed_rows = 0;
};

// Finds and (unless dry_run) repairs what the Java usage server left behind:
//  - usage_job rows whose range is inverted (start after end) or that never
//    finished (end_millis 0): moved to usage_job_removed;
//  - duplicate usage_event rows (same type, account, resource, time and
//    values, other ids; the applied or oldest copy is kept): moved with their
//    details to usage_event_removed / usage_event_details_removed;
//  - duplicate and overlapping helper rows (the healing step's rules, over
//    all history): removed rows are copied to <table>_removed first, ended
//    rows are recorded in usaged_healing;
//  - cloud_usage rows with the same natural key (the oldest is kept; a copy
//    whose raw_usage differs is reported as a "conflict"): moved to
//    cloud_usage_removed; every remaining row written before usaged gets its
//    real natural key in usage_key, so no copy can be stored again.
// Every move copies the row to the audit table and deletes it in one
// transaction per table or batch, so a crash leaves each row either moved or
// untouched, and a second run finds nothing. Applies pending schema
// migrations first (not in a dry run). The caller holds the job lock. Throws
// DbError, changing nothing, if an open usage_job row shows a live usage
// server (heartbeat within five minutes; a dry run reports it instead). A
// run requested by generateUsageRecords and not taken yet is kept.
RepairReport RepairDatabase(store::Connection& conn, const RepairOptions& options);

}  // namespace usaged::maintain
