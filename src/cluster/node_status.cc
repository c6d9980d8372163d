#include "cluster/node_status.h"

#include <fmt/format.h>

#include "cluster/claims.h"

namespace usaged::cluster {

std::vector<NodeStatus> ListNodes(store::Connection& conn, int64_t lease_ms, int limit) {
  std::vector<NodeStatus> out;
  if (conn.engine() != store::Engine::kMariaDb) return out;
  const int64_t now = DbNowMillis(conn);
  IngestLease lease = ReadIngestLease(conn);
  auto& q = conn.Prepare(
                    "SELECT n.id, n.host, n.pid, n.started_at, n.heartbeat_millis, "
                    "n.stopped_millis, (SELECT count(*) FROM ${usage}.usaged_claim c WHERE "
                    "c.node_id = n.id AND c.state = 'claimed' AND c.expires_millis > ?), "
                    "(SELECT count(*) FROM ${usage}.usaged_unit u WHERE u.node_id = n.id) "
                    "FROM ${usage}.usaged_node n ORDER BY n.id DESC LIMIT ?")
                .Bind(now, limit);
  while (q.Next()) {
    NodeStatus s;
    s.id = q.Int(0);
    s.host = q.Text(1);
    s.pid = q.Int(2);
    s.started_at = q.Time(3);
    s.heartbeat_age_ms = now - q.Int(4);
    s.state = !q.IsNull(5) ? "stopped" : s.heartbeat_age_ms > lease_ms ? "lost" : "alive";
    s.claims = q.Int(6);
    s.holds_ingest_lease = lease.holder == s.id && lease.expires_ms > now;
    if (s.holds_ingest_lease) s.ingest_lease_expires_in_ms = lease.expires_ms - now;
    s.units_done = q.Int(7);
    out.push_back(std::move(s));
  }
  return out;
}

std::map<int64_t, std::string> UnitsByNode(store::Connection& conn) {
  std::map<int64_t, std::string> out;
  auto& q = conn.Prepare(
      "SELECT job_id, node_id, count(*) FROM ${usage}.usaged_unit WHERE job_id IS NOT NULL AND "
      "node_id IS NOT NULL GROUP BY job_id, node_id ORDER BY job_id, node_id");
  while (q.Next()) {
    std::string& text = out[q.Int(0)];
    if (!text.empty()) text += ", ";
    text += fmt::format("node {}: {}", q.Int(1), q.Int(2));
  }
  return out;
}

}  // namespace usaged::cluster
