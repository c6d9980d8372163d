#pragma once

#include "cluster/node.h"
#include "core/clock.h"
#include "job/usage_run.h"
#include "store/connection.h"

namespace usaged::cluster {

// One pass of the usage job by one node of several sharing a MariaDB (or
// Galera) database; every node runs the same pass, at the same time or not:
//  1. the node that gets the ingest lease waits for live unit claims to end,
//     then copies, applies, heals, restates and plans, and publishes the
//     ready windows with the logical RUN job that covers them (a new one, or
//     the running one extended);
//  2. every node claims ready units (usage.threads workers each) and commits
//     each one fenced by its claim;
//  3. the node that sees the job's last unit end finishes it and writes the
//     one cloud_usage.usage_job row.
// The pass returns once an ingest that began after the pass started has been
// published and no unit is left to claim, or when `control.stop` is set.
job::RunSummary RunNodePass(Node& node, store::Connection& conn, const Clock& clock,
                            const job::RunControl& control);

}  // namespace usaged::cluster
