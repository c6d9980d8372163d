#pragma once

// The steps of `usaged repair`, one per kind of damage (internal to
// maintain/repair.cc and its tests).

#include <map>
#include <string_view>
#include <tuple>

#include "maintain/repair.h"

namespace usaged::maintain {

// Sums findings that share table, problem, types, account and action.
class FindingTally {
 public:
  void Add(const RepairFinding& finding);
  std::vector<RepairFinding> Sorted() const;

 private:
  using Key = std::tuple<std::string, std::string, std::optional<int64_t>,
                         std::optional<std::string>, std::optional<int64_t>, std::string>;
  std::map<Key, RepairFinding> by_key_;
};

// What every step gets: the connection, the options, where to report and
// whether usaged's objects (usage_key, audit tables, ledger) exist.
struct RepairContext {
  store::Connection& conn;
  const RepairOptions& options;
  FindingTally& tally;
  bool usaged_schema = true;
  int64_t changed_rows = 0;
};

// Copies the row `id` of ${usage}.`table` (its `columns`, comma-separated) to
// `table`_removed with the time and reason, inside the caller's transaction.
void CopyToAudit(store::Connection& conn, std::string_view table, std::string_view columns,
                 int64_t id, Instant now, const std::string& reason);

// The usage server whose open usage_job row has a heartbeat less than five
// minutes before `now` (CloudStack's take-over delay), if any.
std::optional<std::string> LiveUsageServer(store::Connection& conn, Instant now);
// usage_job rows with an inverted range or that never finished.
void RepairJobs(RepairContext& ctx);
// Duplicate usage_event rows.
void RepairEvents(RepairContext& ctx);
// Duplicate and overlapping helper rows (the healing step over all history).
void RepairHelperRows(RepairContext& ctx);
// Duplicate cloud_usage rows by natural key, and keys for rows without one.
void RepairRecords(RepairContext& ctx);

}  // namespace usaged::maintain
