#pragma once

#include <cstdint>

#include "store/connection.h"

namespace usaged::maintain {

// Surplus cloud_usage rows: rows beyond the first of each group that agree on
// every identifying column (account, type, zone, resource ids, offering,
// template, size, CPU/memory, network, state, window). Independent of
// usaged's usage_key column, so it also counts duplicates written by other
// software.
int64_t CountDuplicateRecords(store::Connection& conn);

// The seed bug report's own query, for NETWORK_OFFERING rows: surplus rows per
// (vm_instance_id, offering_id, usage_type, start_date, end_date, raw_usage).
int64_t CountNetworkOfferingDuplicates(store::Connection& conn);

}  // namespace usaged::maintain
