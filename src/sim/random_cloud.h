#pragma once

#include <cstdint>
#include <optional>

#include "core/time.h"
#include "store/connection.h"

namespace usaged::sim {

struct RandomCloudSpec {
  uint32_t seed = 1;
  int accounts = 10;
  int vms_per_account = 3;  // each with a root volume and a network offering
  int days = 30;
  Instant start{};
  // Also storage (templates copied between zones, ISOs, volume snapshots,
  // uploaded volumes, VM snapshots and their space on primary storage,
  // backups whose sizes change), port forwarding rules and VPCs, so that every
  // event-driven usage type occurs; WriteRandomStatistics adds the sampled
  // ones. Off: the history is exactly what it was without this field.
  bool every_usage_type = false;
  // The domain the accounts' domains go under; nullopt: a new ROOT domain.
  // Set it to add the cloud to a store that already holds one.
  std::optional<int64_t> parent_domain;
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

// Sets the statistics tables of a cloud WriteRandomCloud wrote from `spec` as
// they stand after `round` sampling periods (round >= 1): per account a
// router's traffic counters (cloud.user_statistics) and an object storage
// bucket (cloud.bucket_statistics), per VM its root volume's disk I/O
// counters (cloud.vm_disk_statistics). Counters only grow from one round to
// the next, except a router counter reset now and then (current_* falls back,
// as when a router restarts); the same spec and round give the same rows.
// Call it before each usage job so that traffic lands in several windows.
void WriteRandomStatistics(store::Connection& conn, const RandomCloudSpec& spec, int round);

}  // namespace usaged::sim
