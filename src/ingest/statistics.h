#pragma once

#include <cstdint>

#include "core/settings.h"
#include "core/time.h"
#include "store/connection.h"

namespace usaged::ingest {

// What one statistics step did.
struct StatisticsSummary {
  int64_t windows = 0;       // windows given a snapshot
  int64_t network_rows = 0;  // usage_network delta rows written
  int64_t disk_rows = 0;     // usage_vm_disk delta rows written
  int64_t bucket_rows = 0;   // usaged_bucket_usage rows written
  int64_t quarantined = 0;   // statistics rows newly quarantined
  int64_t resets = 0;        // counter resets recognised
  int64_t regressions = 0;   // keys whose counters went back in place
};

struct StatisticsOptions {
  // usage.compat.float.hours: counters that go back in place are clamped as
  // CloudStack 4.21 does (see counter_deltas.h).
  bool compat = false;
};

StatisticsOptions StatisticsOptionsFor(const UsageSettings& settings);

// The statistics step, between planning/applying events and parsing. CloudStack
// keeps traffic, disk I/O and bucket sizes as counters (cloud.user_statistics,
// vm_disk_statistics, bucket_statistics), not as events; they can only be
// sampled. Every planned window that has no snapshot yet and none of whose
// units is done gets exactly one, in one transaction with its mark
// (usaged_stat_snapshot):
//  - counter deltas since the previous snapshot are stamped at the last
//    millisecond of the latest such window (as CloudStack stamps them at the
//    end of its job's range) into usage_network and usage_vm_disk;
//  - bucket sizes as read now are recorded for each such window.
// A window is parsed only after its snapshot committed and is never given a
// second one, so its numbers do not depend on how often the job runs, and a
// crash before the commit leaves nothing behind. Bad statistics rows are
// quarantined (see counter_deltas.h). Returns what was done; throws on a
// database error (nothing is then written).
StatisticsSummary SnapshotStatistics(store::Connection& conn, Instant now,
                                     const StatisticsOptions& options = {});

}  // namespace usaged::ingest
