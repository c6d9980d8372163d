#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/time.h"
#include "store/account_directory.h"
#include "store/connection.h"

namespace usaged::ingest {

// A CloudStack statistics table whose rows hold ever-growing counters, and the
// helper table of deltas derived from it. Rows are keyed by zone, account and
// two more columns (`a`, `b`); the counters of rows sharing a key are summed.
struct CounterFamily {
  std::string_view source;     // table in cloud, mirrored in cloud_usage
  std::string_view helper;     // delta table in cloud_usage
  std::string_view source_a;   // e.g. "device_id"
  std::string_view source_b;   // e.g. "network_id" (NULL reads as 0)
  std::string_view helper_a;   // e.g. "host_id"
  std::string_view helper_b;   // e.g. "network_id"
  std::string_view source_label;  // copied into `helper_label`, or ""
  std::string_view helper_label;
  // Counters that are billed: "agg_*" columns, named alike in the helper
  // table; the delta columns are the same names without "agg_".
  std::vector<std::string_view> aggregates;
  // Counters that are only checked (never NULL or negative).
  std::vector<std::string_view> checked;
  std::string_view copy_columns;  // every column of the mirror
  // What is copied into copy_columns from `cloud` (its SELECT list); empty:
  // copy_columns as they are.
  std::string_view copy_select = {};
};

// user_statistics -> usage_network (NETWORK_BYTES_SENT / RECEIVED).
const CounterFamily& NetworkCounters();
// vm_disk_statistics -> usage_vm_disk (VM_DISK_IO_* / VM_DISK_BYTES_*).
const CounterFamily& DiskCounters();

struct CounterSnapshot {
  const store::AccountDirectory* accounts = nullptr;
  Instant window_start{};  // start of the window the deltas are stamped in
  Instant stamp{};         // its last millisecond: the rows' event_time_millis
  Instant now{};
  // usage.compat.float.hours: a counter that went back in place is clamped on
  // the key's summed total, as CloudStack 4.21 does; otherwise per row.
  bool compat = false;
  // An earlier sample by usaged refreshed the mirror, so a key missing from it
  // had no statistics rows then (else an empty mirror says nothing).
  bool sampled_before = false;
};

struct CounterResult {
  int64_t rows = 0;         // helper rows written
  int64_t quarantined = 0;  // statistics rows refused (newly recorded)
  int64_t resets = 0;       // keys whose statistics rows were replaced and went back
  int64_t regressions = 0;  // keys whose counters went back in place
};

// Inside the caller's transaction: reads the family's statistics rows, writes
// one helper row per key whose counters moved since the key's latest helper
// row (its aggregates are the key's totals now), refreshes the mirror in
// cloud_usage, and quarantines what it cannot use: a row with a NULL or
// negative counter or an unknown account skips its whole key (nothing is lost:
// the next snapshot's delta covers the time since the last good one).
// The delta of each counter:
//  - the key's statistics rows are the ones of the last sample (the mirror):
//    total - baseline;
//  - the key's rows changed since the last sample (a row replaced, added or
//    removed, or all of them new): each row counts from its mirrored value, a
//    new row from zero, never below zero; if the total went backwards this is
//    a counter reset, written to usaged_healing;
//  - a counter went back with the same rows (not a plausible reset: a restored
//    database, a manual edit): it is billed 0 and its lower value becomes the
//    baseline, so growth from there is billed again, as in CloudStack. In
//    compat mode the clamp is on the key's total (CloudStack's rule); otherwise
//    on each row, so another row's growth in the same window is not lost.
//    Written to usaged_healing (counter_regression).
CounterResult SnapshotCounters(store::Connection& conn, const CounterFamily& family,
                               const CounterSnapshot& snapshot);

}  // namespace usaged::ingest
