#pragma once

#include <cstdint>

#include "core/time.h"
#include "store/connection.h"

namespace usaged::maintain {

// Surplus cloud_usage rows: rows beyond the first of each group that agree on
// every identifying column (account, type, zone, resource ids, offering,
// template, size, CPU/memory, network, state, description, window).
// Independent of usaged's usage_key column, so it also counts duplicates
// written by other software. Records of the types written one per helper row (NETWORK, VPC)
// are counted only where such a group holds more hours than its window.
int64_t CountDuplicateRecords(store::Connection& conn);

// Whether records of one resource dated [start_date, end_date] (a window, its
// end to the second) with `hours` in total can be parts of its time in that
// window rather than copies.
bool PartsFitWindow(double hours, Instant start_date, Instant end_date);

// The seed bug report's own query, for NETWORK_OFFERING rows: surplus rows per
// (vm_instance_id, offering_id, usage_type, start_date, end_date, raw_usage).
int64_t CountNetworkOfferingDuplicates(store::Connection& conn);

}  // namespace usaged::maintain
