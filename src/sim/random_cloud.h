#pragma once

#include <cstdint>

#include "core/time.h"
#include "store/connection.h"

namespace usaged::sim {

struct RandomCloudSpec {
  uint32_t seed = 1;
  int accounts = 10;
  int vms_per_account = 3;  // each with a root volume and a network offering
  int days = 30;
  Instant start{};
};

struct RandomCloudStats {
  int64_t accounts = 0;
  int64_t events = 0;
};

// Writes a reproducible cloud history (same spec, same rows) into the `cloud`
// tables: per account, VMs that are created, started and stopped at random
// times, some upgraded or destroyed, root volumes (some resized, some data
// volumes deleted), network offerings, public IPs, networks changing state,
// security groups, load balancers and VPN users. Events are written in time
// order, as the management server writes them. For tests and benchmarks.
RandomCloudStats WriteRandomCloud(store::Connection& conn, const RandomCloudSpec& spec);

}  // namespace usaged::sim
