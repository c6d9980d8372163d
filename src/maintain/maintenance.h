#pragma once

#include <atomic>

#include "core/clock.h"
#include "store/connection.h"

namespace usaged::maintain {

// The scheduler's housekeeping between usage jobs: the daily retention
// cleanup and the sanity check every usage.sanity.check.interval days, each
// when due. The caller holds the job lock and runs no usage job meanwhile.
// Errors are logged, never thrown: housekeeping never stops the scheduler.
void RunMaintenanceIfDue(store::Connection& conn, const Clock& clock,
                         const std::atomic<bool>* stop);

}  // namespace usaged::maintain
