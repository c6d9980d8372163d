#pragma once

#include <cstdint>

#include "core/time.h"
#include "store/connection.h"

namespace usaged::maintain {

// Surplus cloud_usage rows: rows beyond the first of each group with the same
// natural key (parse::NaturalKeyText of the row's columns: type, account, the
// fields the type's parser groups by, window). Computed from the columns, not
// from usaged's usage_key column, so it also counts duplicates written by
// other software. Records of the types written one per helper row (BACKUP,
// NETWORK, VPC), which share a natural key but for the row's start, are
// counted only where such a group holds more hours than its window.
int64_t CountDuplicateRecords(store::Connection& conn);

// Whether records of one resource dated [start_date, end_date] (a window, its
// end to the second) with `hours` in total can be parts of its time in that
// window rather than copies.
bool PartsFitWindow(double hours, Instant start_date, Instant end_date);

// The seed bug report's own query, for NETWORK_OFFERING rows: surplus rows per
// (vm_instance_id, offering_id, usage_type, start_date, end_date, raw_usage).
int64_t CountNetworkOfferingDuplicates(store::Connection& conn);

}  // namespace usaged::maintain
