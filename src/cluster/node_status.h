#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "store/connection.h"

namespace usaged::cluster {

// A registered node as `usaged nodes` shows it.
struct NodeStatus {
  int64_t id = 0;
  std::string host;
  int64_t pid = 0;
  Instant started_at{};
  int64_t heartbeat_age_ms = 0;  // database clock
  std::string state;             // alive, stopped, or lost (no heartbeat for a lease)
  int64_t claims = 0;            // live unit claims
  bool holds_ingest_lease = false;
  std::optional<int64_t> ingest_lease_expires_in_ms;
  int64_t units_done = 0;        // units this node committed, ever
};

// Every registered node, newest first (nodes stopped long ago included, up to
// `limit`). `lease_ms` decides when a silent node counts as lost. Only
// MariaDB stores register nodes; on SQLite the list is empty.
std::vector<NodeStatus> ListNodes(store::Connection& conn, int64_t lease_ms, int limit = 100);

// For each job, which nodes committed its units: "node 1: 5, node 3: 2".
// Jobs run by a single process without nodes (SQLite) are absent.
std::map<int64_t, std::string> UnitsByNode(store::Connection& conn);

}  // namespace usaged::cluster
