#pragma once

#include "core/time.h"
#include "store/connection.h"

namespace usaged::sim {

// Writes a small cloud's history into the `cloud` tables: three domains (one
// nested), four accounts, VMs created, started, stopped, upgraded, scaled and
// destroyed, volumes created, resized and deleted, public IPs assigned and
// released, network offerings assigned, storage kept (demo_storage.h),
// networks, VPCs, security groups, load balancers, port forwarding rules and
// VPN users (demo_network_rules.h), over the days from `start`. Needs an empty
// cloud (no domain, account or event yet).
void WriteDemoCloud(store::Connection& conn, Instant start);

}  // namespace usaged::sim
