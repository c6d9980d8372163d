#pragma once

#include <cstdint>
#include <optional>
#include <set>
#include <string>

#include "core/clock.h"
#include "store/connection.h"
#include "store/store.h"

namespace usaged::api {

// What regenerateUsageRecords asks for: rebuild the billed windows from start
// to end (window-aligned) for one account, one domain subtree or everything,
// as the caller's scope allows (checked before the request gets here). With
// `fill_missing` (a domain admin's generateUsageRecords) only the records in
// scope that are missing are written; none is replaced.
struct RegenerateRequest {
  bool fill_missing = false;
  Instant start{};
  Instant end{};
  std::optional<int64_t> scope_account_id;
  std::optional<int64_t> scope_domain_id;
  std::optional<int> usage_type;
  std::string reason;
  std::string requester;
};

struct JobOutcome {
  std::optional<int64_t> job_id;  // the usaged_job row, if one was written
  int64_t windows = 0;
  int64_t records = 0;
  std::string text;  // what happened, for the async job's displaytext
};

// The jobs the API starts. Implementations run in the async worker thread with
// its own connection; they throw on failure (the async job then fails with
// the message).
class JobRunner {
 public:
  virtual ~JobRunner() = default;
  // generateUsageRecords: bills every window that is due now.
  virtual JobOutcome Generate(store::Connection& conn, const std::string& requester) = 0;
  virtual JobOutcome Regenerate(store::Connection& conn, const RegenerateRequest& request) = 0;
  // Throws InputError if Regenerate would refuse the request (range not
  // billed or not aligned, unknown type, ...); changes nothing.
  virtual void Check(store::Connection& conn, const RegenerateRequest& request) = 0;
};

// The runner built on job/usage_run (generate: bill every due window) and
// job/regeneration (regenerate). Generate jobs are serialised with the
// scheduler of this process; when `lock_store` is true they also take
// Store::LockJobs, keeping other usaged processes out (`usaged serve` alone;
// `run --serve` already holds it).
std::unique_ptr<JobRunner> MakeUsageJobRunner(store::Store& store, const Clock& clock,
                                              bool lock_store);

}  // namespace usaged::api
