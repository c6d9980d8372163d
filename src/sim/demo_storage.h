#pragma once

#include "core/time.h"
#include "sim/cloud_writer.h"

namespace usaged::sim {

// The accounts of the demo cloud that own storage.
struct DemoStorageOwners {
  int64_t web = 0;    // owns VM 101 and volume 501
  int64_t db = 0;     // owns VM 102
  int64_t batch = 0;  // owns VM 103
};

// Adds the demo cloud's storage history from `start` on: a template copied to
// a second zone, an ISO, a volume snapshot, an uploaded volume that is later
// attached, a VM snapshot (with its space on primary storage) and a backup
// offering whose size metric grows.
void WriteDemoStorage(CloudWriter& cloud, const DemoStorageOwners& owners, Instant start);

}  // namespace usaged::sim
