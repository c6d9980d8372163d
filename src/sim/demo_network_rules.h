#pragma once

#include <cstdint>

#include "core/time.h"
#include "sim/cloud_writer.h"

namespace usaged::sim {

// The demo accounts that own network resources.
struct DemoNetworkOwners {
  int64_t alice = 0;
  int64_t bob = 0;
  int64_t carol = 0;
};

// Adds the demo cloud's networks, VPCs, security groups, load balancers,
// port forwarding rules and VPN users (their usage events) over the three
// days from `start`, inside the caller's transaction.
void WriteDemoNetworkRules(CloudWriter& cloud, const DemoNetworkOwners& owners, Instant start);

}  // namespace usaged::sim
