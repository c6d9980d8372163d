#pragma once

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/window.h"
#include "job/job_log.h"
#include "job/unit_rebuild.h"
#include "job/usage_run.h"
#include "store/connection.h"

namespace usaged::job {

// generate / regenerate (CloudStack's generateUsageRecords and the proposed
// regenerateUsageRecords): rebuild the records of a range of billed windows,
// optionally for one account, one domain (with its sub-domains) or one usage
// type. The CLI and the HTTP API both call these functions.
//
//   REGENERATE  per unit in range, in one transaction: delete the records in
//               scope and insert freshly parsed ones.
//   GENERATE    per unit in range: insert only the records in scope that are
//               missing, even where the job metadata says the unit is done.
//
// Neither needs the job lock: each unit is one transaction, and requests whose
// ranges overlap are refused (checked and claimed atomically in the database,
// so this holds across processes and nodes).
struct RegenerationRequest {
  JobKind kind = JobKind::kRegenerate;  // kGenerate or kRegenerate
  Instant start{};  // must be the start of a billed window
  // The end of the last window: its boundary (next window's start) or the
  // window's display end (boundary - 1 s, CloudStack's "... 23:59:59").
  Instant end{};
  std::optional<int64_t> account_id;  // at most one of account_id, domain_id
  std::optional<int64_t> domain_id;   // includes the domain's sub-domains
  std::optional<int> usage_type;
  std::optional<std::string> reason;  // required for kRegenerate
  std::string requester;              // who asked (e.g. "cli:alice", "api:admin")
};

// A validated request: the units to rebuild and the accounts in scope.
struct RegenerationPlan {
  Instant start{};
  Instant end{};  // boundary (exclusive)
  std::vector<UnitSlice> units;
  RecordScope scope;
};

struct RegenerationResult {
  int64_t job_id = 0;
  int64_t units_total = 0;
  int64_t units_done = 0;
  int64_t units_failed = 0;
  int64_t records_deleted = 0;
  int64_t records_written = 0;
  bool interrupted = false;
  bool ok() const { return units_failed == 0 && !interrupted; }
};

// Checks a request against the billed windows and resolves its scope. Throws
// InputError, naming the value and what would be accepted, for: a missing
// reason (regenerate), both account and domain, an unknown account, domain or
// usage type (or one usaged has no parser for), an inverted or empty range, a
// range in the future, past the checkpoint, before the first billed window, or
// not aligned to windows (the message names the nearest aligned range).
// Changes nothing.
RegenerationPlan PlanRegeneration(store::Connection& conn, const RegenerationRequest& request,
                                  Instant now);

// Plans the request, claims its range (InputError if a running GENERATE or
// REGENERATE job overlaps it), records the job with its kind, scope, reason,
// requester and unit count, then rebuilds unit by unit, counting progress.
// A failed unit is recorded and the others go on; a stop request ends the job
// INTERRUPTED after the unit in progress.
RegenerationResult RunRegeneration(store::Connection& conn, const Clock& clock,
                                   const RegenerationRequest& request,
                                   const RunControl& control = {});

// GENERATE/REGENERATE jobs still marked RUNNING whose process, on this host,
// is gone become INTERRUPTED (they run outside the job lock, so the lock
// holder's JobLog::MarkInterrupted leaves them alone). Runs inside the
// caller's transaction if one is open. Returns how many.
int64_t InterruptAbandonedRegenerations(store::Connection& conn, Instant now);

}  // namespace usaged::job
