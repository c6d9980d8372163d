#pragma once

#include <cstdint>
#include <functional>
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
  // Checks a key's (a, b) beyond the account; returns why it is refused, or "".
  std::function<std::string(int64_t a, int64_t b)> check_key;
};

struct CounterResult {
  int64_t rows = 0;         // helper rows written
  int64_t quarantined = 0;  // statistics rows refused (newly recorded)
  int64_t resets = 0;       // keys whose counters restarted
};

// Inside the caller's transaction: reads the family's statistics rows, writes
// one helper row per key whose counters moved since the key's latest helper
// row (delta = sum of the aggregates - what that row recorded), refreshes the
// mirror in cloud_usage, and quarantines what it cannot use:
//  - a row with a NULL or negative counter, an unknown account, or a key
//    `check_key` refuses: its key is skipped (nothing is lost: the next
//    snapshot's delta covers the time since the last good one);
//  - a key whose total went backwards while its statistics rows are the same
//    ones as at the last snapshot: not a reset; the key waits until its total
//    passes the recorded one, so nothing is billed twice.
// When the key's statistics rows changed since the last sample (a row
// replaced, added or removed), each row counts from its last mirrored value, a
// new row from zero; if the total went backwards this is a counter reset and is
// written to usaged_healing.
CounterResult SnapshotCounters(store::Connection& conn, const CounterFamily& family,
                               const CounterSnapshot& snapshot);

}  // namespace usaged::ingest
