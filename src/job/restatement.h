#pragma once

#include <cstdint>
#include <optional>
#include <set>
#include <vector>

#include "core/clock.h"
#include "core/settings.h"
#include "core/window.h"
#include "ingest/event_applier.h"
#include "store/account_directory.h"
#include "store/connection.h"

namespace usaged::job {

// Late events (design invariant 7): an event whose time falls in windows
// already billed never moves the checkpoint back and never re-bills closed
// windows wholesale. It marks the billed (window, account) pairs it touches;
// each is then re-parsed - its records deleted and written again in one
// transaction - and recorded in usaged_restatement.
class Restatements {
 public:
  // One window and shard to re-parse, for the accounts late events touched.
  struct Work {
    int64_t window_id = 0;
    Window window;
    int shard = 0;
    int shard_count = 1;
    std::set<int64_t> accounts;
  };

  explicit Restatements(store::Connection& conn) : conn_(conn) {}

  // Marks every billed (done) unit of each event's account whose window ends
  // after the event's time. Returns the number of marks (own transaction).
  int64_t Mark(const std::vector<ingest::LateEvent>& events, Instant now);

  // Pending restatements, grouped by window and shard, oldest window first.
  std::vector<Work> Pending();

  // Re-parses `work` in one transaction: deletes the accounts' records of the
  // window, parses them again, inserts them and marks the restatements done.
  // Returns the number of records written.
  int64_t Restate(const Work& work, const UsageSettings& settings,
                  const store::AccountDirectory& accounts, int64_t job_id, Instant now);

 private:
  store::Connection& conn_;
};

// The end of the latest window that has a billed (done) unit; nullopt if none.
std::optional<Instant> BilledUntil(store::Connection& conn);

}  // namespace usaged::job
