#pragma once

#include <cstdint>

#include "store/connection.h"

namespace usaged::sim {

// The demo cloud's statistics rows, as CloudStack's management server keeps
// them: router traffic counters (cloud.user_statistics) for alice and bob,
// disk I/O counters (cloud.vm_disk_statistics) of their VMs' volumes, and an
// object storage bucket (cloud.bucket_statistics) for carol. Counters are
// totals so far; the usage job samples them when it runs.
void WriteDemoStatistics(store::Connection& conn, int64_t alice, int64_t bob, int64_t carol);

}  // namespace usaged::sim
