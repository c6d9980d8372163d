#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "core/time.h"
#include "ingest/interval_table.h"
#include "store/connection.h"

namespace usaged::ingest {

// One repair, recorded in usaged_healing and in the healing log.
struct HealingAction {
  std::string kind;   // event_healed, duplicate_row, overlap, running_after_destroy
  std::string table;  // the helper table (or usage_event)
  int64_t row_id = 0;
  std::optional<int64_t> related_id;
  std::string detail;
  // The healed row as it was: its resource key (the table's resource_key
  // values) and interval, for reports.
  std::vector<std::string> resource{};
  Instant row_start{};
  std::optional<Instant> row_end{};
  bool removed = false;  // the row was deleted (else its end was changed)
};

// How HealHelperTables runs.
struct HealingOptions {
  // Only rows that can still affect windows from here on are examined, and
  // none is ended before it; nullopt: every row, with no floor.
  std::optional<Instant> from;
  // Work out the actions but change and record nothing.
  bool dry_run = false;
  // Called inside the transaction before a row is deleted (e.g. to copy it to
  // an audit table). Unset: rows are deleted without a copy.
  std::function<void(const TableDef& table, const HealingAction& action)> before_delete;
};

// The healing step, between applying events and parsing: repairs helper rows
// that would bill a resource twice or forever - rows Java servers left behind,
// or that events sent out of order produced:
//  - two rows of one resource starting at the same time: the one ending
//    earlier is removed (its content is kept in the healing record);
//  - overlapping rows of one resource (e.g. a network offering assigned
//    twice): the earlier row is ended where the later one starts;
//  - a VM still counted as running after its allocation ended (destroyed
//    without a stop): the running row is ended with the allocation.
// A zero-length row (ended in the second it began, e.g. a network updated in
// the second it was created) holds no time: it is neither a repeat of the row
// that starts in the same second nor an overlap, and is left as it is (the
// Java server keeps it too and bills it 1 ms in its float hours).
// Only rows that can still affect windows from `from` (the checkpoint) on are
// examined, so the step does not grow with history, and no row is ended
// before `from`: billed time is never rewritten here. Runs in one
// transaction; every action is logged and written to usaged_healing.
std::vector<HealingAction> HealHelperTables(store::Connection& conn, std::optional<Instant> from,
                                            Instant now);
std::vector<HealingAction> HealHelperTables(store::Connection& conn,
                                            const HealingOptions& options, Instant now);

// Writes actions to usaged_healing and the healing log, inside the caller's
// transaction.
void RecordHealing(store::Connection& conn, const std::vector<HealingAction>& actions,
                   Instant now);

}  // namespace usaged::ingest
