#include "cluster/claims.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <chrono>
#include <thread>

#include "core/error.h"
#include "store/retry.h"

namespace usaged::cluster {
namespace {

void Pause(int ms) { std::this_thread::sleep_for(std::chrono::milliseconds(ms)); }

// Units that may be claimed now: not done, in a ready window, and not held
// by a live claim nor failed in the current job. Plain read: the claim itself
// re-checks everything under locks.
std::vector<job::Unit> Candidates(store::Connection& conn, int64_t ready_until_ms,
                                  int64_t now_ms, std::optional<int64_t> job_id) {
  auto& q = conn.Prepare(
                    "SELECT u.window_id, w.start_millis, w.next_millis, u.shard, w.shard_count, "
                    "u.attempts FROM ${usage}.usaged_unit u "
                    "JOIN ${usage}.usaged_window w ON w.id = u.window_id "
                    "LEFT JOIN ${usage}.usaged_claim c ON c.window_id = u.window_id AND "
                    "c.shard = u.shard "
                    "WHERE u.state <> 'done' AND w.next_millis <= ? AND (c.window_id IS NULL OR "
                    "(c.state = 'claimed' AND c.expires_millis <= ?) OR (c.state = 'failed' AND "
                    "(c.job_id IS NULL OR c.job_id <> ?))) "
                    "ORDER BY w.start_millis, u.shard LIMIT 16")
                .Bind(ready_until_ms, now_ms, job_id.value_or(-1));
  std::vector<job::Unit> out;
  while (q.Next()) {
    job::Unit u;
    u.window_id = q.Int(0);
    u.window = Window{FromEpochMillis(q.Int(1)), FromEpochMillis(q.Int(2))};
    u.shard = static_cast<int>(q.Int(3));
    u.shard_count = static_cast<int>(q.Int(4));
    u.attempts = static_cast<int>(q.Int(5));
    out.push_back(u);
  }
  return out;
}

}  // namespace

int64_t DbNowMillis(store::Connection& conn) {
  return *conn.QueryInt("SELECT CAST(UNIX_TIMESTAMP(NOW(3)) * 1000 AS SIGNED)");
}

void ReadCommittedEverywhere(store::Connection& conn) {
  if (conn.IsGaleraNode()) conn.Exec("SET SESSION wsrep_sync_wait = 1");
}

std::string NodeLockName(int64_t node_id) {
  return fmt::format("usaged_node:{}", node_id);
}

int64_t ReapDeadNodes(store::Connection& conn, const NodeIdentity& me) {
  // On Galera, server locks are local to one DB node and cannot tell whether
  // a node elsewhere lives.
  if (conn.IsGaleraNode()) return 0;
  std::vector<int64_t> dead;
  auto& q = conn.Prepare(
                    "SELECT id FROM ${usage}.usaged_node WHERE stopped_millis IS NULL AND id <> ?")
                .Bind(me.node_id);
  std::vector<int64_t> nodes;
  while (q.Next()) nodes.push_back(q.Int(0));
  for (int64_t id : nodes) {
    if (conn.QueryInt("SELECT IS_FREE_LOCK(?)", NodeLockName(id)).value_or(0) == 1) {
      dead.push_back(id);
    }
  }
  for (int64_t id : dead) {
    store::RetryTransient("freeing a dead node's claims", [&] {
      store::Transaction tx(conn);
      int64_t now = DbNowMillis(conn);
      conn.Run(
          "UPDATE ${usage}.usaged_lease SET expires_millis = 0 WHERE name = 'ingest' AND "
          "node_id = ?",
          id);
      int64_t claims = conn.Run(
          "UPDATE ${usage}.usaged_claim SET expires_millis = 0 WHERE node_id = ? AND "
          "state = 'claimed'",
          id);
      conn.Run("UPDATE ${usage}.usaged_node SET stopped_millis = ? WHERE id = ?", now, id);
      tx.Commit();
      spdlog::warn("node {} is gone (its connection ended); {} claim(s) freed", id, claims);
    });
  }
  return static_cast<int64_t>(dead.size());
}

IngestLease ReadIngestLease(store::Connection& conn, std::string_view lock) {
  auto& q = conn.Prepare(fmt::format(
                             "SELECT node_id, expires_millis, token, published_token, "
                             "ready_until_millis, job_id, changing_token FROM "
                             "${{usage}}.usaged_lease WHERE name = 'ingest' {}",
                             lock))
                .Bind();
  IngestLease lease;
  if (!q.Next()) {
    q.Reset();
    throw DbError("usaged_lease has no 'ingest' row; run `usaged migrate`", 0, false);
  }
  lease.holder = q.OptInt(0);
  lease.expires_ms = q.Int(1);
  lease.token = q.Int(2);
  lease.published_token = q.Int(3);
  lease.ready_until_ms = q.OptInt(4);
  lease.job_id = q.OptInt(5);
  lease.changing_token = q.Int(6);
  q.Reset();
  return lease;
}

std::optional<int64_t> TryAcquireIngest(store::Connection& conn, const NodeIdentity& me) {
  return store::RetryTransient("taking the ingest lease", [&]() -> std::optional<int64_t> {
    store::Transaction tx(conn);
    IngestLease lease = ReadIngestLease(conn, "FOR UPDATE");
    int64_t now = DbNowMillis(conn);
    if (lease.HeldByOther(me.node_id, now)) return std::nullopt;
    if (lease.holder && *lease.holder != me.node_id) {
      spdlog::warn("taking over the ingest lease of node {} (expired {} ms ago)", *lease.holder,
                   now - lease.expires_ms);
    }
    int64_t token = lease.token + 1;
    conn.Run(
        "UPDATE ${usage}.usaged_lease SET node_id = ?, expires_millis = ?, token = ? "
        "WHERE name = 'ingest'",
        me.node_id, now + me.lease_ms, token);
    tx.Commit();
    return token;
  });
}

IngestStart BeginIngestChanges(store::Connection& conn, const NodeIdentity& me, int64_t token) {
  return store::RetryTransient("beginning the ingest", [&] {
    store::Transaction tx(conn);
    // The lease row lock first: on one server no claim is granted meanwhile,
    // and a unit commit holding the row has finished when we read the claims.
    IngestLease lease = ReadIngestLease(conn, "FOR UPDATE");
    if (lease.holder != me.node_id || lease.token != token) return IngestStart::kLeaseLost;
    int64_t now = DbNowMillis(conn);
    auto claims = conn.QueryInt(
        "SELECT count(*) FROM ${usage}.usaged_claim WHERE state = 'claimed' AND node_id <> ? "
        "AND expires_millis > ?",
        me.node_id, now);
    if (claims.value_or(0) > 0) return IngestStart::kClaimsInFlight;
    conn.Run("UPDATE ${usage}.usaged_lease SET changing_token = ? WHERE name = 'ingest'", token);
    tx.Commit();
    return IngestStart::kBegun;
  });
}

std::optional<job::Unit> ClaimSource::Next(store::Connection& conn) {
  while (!(stop_ && stop_->load())) {
    int64_t now = DbNowMillis(conn);
    IngestLease lease = ReadIngestLease(conn);
    if (lease.HeldByOther(me_.node_id, now)) {
      if (ReapDeadNodes(conn, me_) == 0) Pause(100);  // units wait for the ingest to finish
      continue;
    }
    if (!lease.ready_until_ms) return std::nullopt;
    std::vector<job::Unit> candidates = Candidates(conn, *lease.ready_until_ms, now, lease.job_id);
    bool ingesting = false;
    for (job::Unit& unit : candidates) {
      Attempt a = store::RetryTransient("claiming a unit",
                                        [&] { return TryClaim(conn, unit, lease.job_id.value_or(-1)); });
      if (a == Attempt::kClaimed) return unit;
      if (a == Attempt::kIngesting) {
        ingesting = true;
        break;
      }
    }
    if (ingesting || !candidates.empty()) {
      Pause(ingesting ? 100 : 10);
      continue;
    }
    auto others = conn.QueryInt(
        "SELECT count(*) FROM ${usage}.usaged_claim WHERE state = 'claimed' AND node_id <> ? "
        "AND expires_millis > ?",
        me_.node_id, now);
    if (others.value_or(0) == 0) return std::nullopt;
    if (ReapDeadNodes(conn, me_) > 0) continue;
    Pause(100);  // their units end, or their claims expire and are taken over
  }
  return std::nullopt;
}

ClaimSource::Attempt ClaimSource::TryClaim(store::Connection& conn, job::Unit& unit,
                                           int64_t job_id) {
  store::Transaction tx(conn);
  IngestLease lease = ReadIngestLease(conn, "LOCK IN SHARE MODE");
  int64_t now = DbNowMillis(conn);
  if (lease.HeldByOther(me_.node_id, now)) return Attempt::kIngesting;
  if (!lease.ready_until_ms || ToEpochMillis(unit.window.next) > *lease.ready_until_ms ||
      lease.job_id.value_or(-1) != job_id) {
    return Attempt::kTaken;
  }
  auto& lock = conn.Prepare(
                       "SELECT state FROM ${usage}.usaged_unit WHERE window_id = ? AND shard = ? "
                       "FOR UPDATE SKIP LOCKED")
                   .Bind(unit.window_id, unit.shard);
  bool pending = lock.Next() && lock.Text(0) != "done";
  lock.Reset();
  if (!pending) return Attempt::kTaken;

  auto& claim = conn.Prepare(
                        "SELECT node_id, token, expires_millis, state, job_id FROM "
                        "${usage}.usaged_claim WHERE window_id = ? AND shard = ? FOR UPDATE")
                    .Bind(unit.window_id, unit.shard);
  bool exists = claim.Next();
  int64_t token = 1;
  bool free = true;
  if (exists) {
    token = claim.Int(1) + 1;
    std::string state = claim.Text(3);
    free = state == "claimed" ? claim.Int(2) <= now : claim.OptInt(4).value_or(-1) != job_id;
    if (free && state == "claimed") {
      spdlog::warn("taking over unit (window {}, shard {}) from node {} (claim expired {} ms ago)",
                   FormatUtc(unit.window.start), unit.shard, claim.Int(0), now - claim.Int(2));
    }
  }
  claim.Reset();
  if (!free) return Attempt::kTaken;
  if (exists) {
    conn.Run(
        "UPDATE ${usage}.usaged_claim SET node_id = ?, token = ?, expires_millis = ?, "
        "state = 'claimed', job_id = ? WHERE window_id = ? AND shard = ?",
        me_.node_id, token, now + me_.lease_ms, job_id, unit.window_id, unit.shard);
  } else {
    // Row locks do not reach across Galera nodes: a node elsewhere may have
    // inserted this claim since we read that there was none. It holds the
    // unit then, as if we had found its row.
    try {
      conn.Run(
          "INSERT INTO ${usage}.usaged_claim (window_id, shard, node_id, token, expires_millis, "
          "state, job_id) VALUES (?, ?, ?, ?, ?, 'claimed', ?)",
          unit.window_id, unit.shard, me_.node_id, token, now + me_.lease_ms, job_id);
    } catch (const DuplicateKeyError&) {
      return Attempt::kTaken;
    }
  }
  tx.Commit();
  unit.claim_token = token;
  unit.claim_job_id = job_id;
  unit.claim_lease_token = lease.token;
  return Attempt::kClaimed;
}

void ClaimFence::CheckHeld(store::Connection& conn, const job::Unit& unit) {
  // Same lock order as a claim (unit row, then claim row).
  conn.QueryInt("SELECT 1 FROM ${usage}.usaged_unit WHERE window_id = ? AND shard = ? FOR UPDATE",
                unit.window_id, unit.shard);
  auto& q = conn.Prepare(
                    "SELECT node_id, token, expires_millis, state FROM ${usage}.usaged_claim "
                    "WHERE window_id = ? AND shard = ? FOR UPDATE")
                .Bind(unit.window_id, unit.shard);
  if (!q.Next()) {
    q.Reset();
    throw job::UnitFenceError("its claim is gone (another node finished the unit)");
  }
  int64_t node = q.Int(0), token = q.Int(1), expires = q.Int(2);
  std::string state = q.Text(3);
  q.Reset();
  if (node != me_.node_id || token != unit.claim_token) {
    throw job::UnitFenceError(fmt::format(
        "node {} took the unit over (fencing token {}, ours {})", node, token, unit.claim_token));
  }
  int64_t now = DbNowMillis(conn);
  if (state != "claimed" || expires <= now) {
    throw job::UnitFenceError(fmt::format("our claim expired {} ms ago", now - expires));
  }
}

void ClaimFence::Release(store::Connection& conn, const job::Unit& unit) {
  conn.Run("DELETE FROM ${usage}.usaged_claim WHERE window_id = ? AND shard = ?", unit.window_id,
           unit.shard);
  conn.Run("UPDATE ${usage}.usaged_unit SET node_id = ? WHERE window_id = ? AND shard = ?",
           me_.node_id, unit.window_id, unit.shard);
  // Lease row after the unit and claim rows (the order of a claim), before
  // the job row (the order of a publish).
  auto changing = conn.QueryInt(
      "SELECT changing_token FROM ${usage}.usaged_lease WHERE name = 'ingest' FOR UPDATE");
  if (changing.value_or(0) > unit.claim_lease_token) {
    throw job::UnitFenceError(fmt::format(
        "an ingest (lease token {}) began changing the helper tables after the claim",
        *changing));
  }
  conn.Run("UPDATE ${usage}.usaged_lease SET unit_commits = unit_commits + 1 "
           "WHERE name = 'ingest'");
}

void ClaimFence::Abandon(store::Connection& conn, const job::Unit& unit) {
  store::RetryTransient("giving up a claim", [&] {
    store::Transaction tx(conn);
    conn.Run(
        "UPDATE ${usage}.usaged_claim SET expires_millis = 0 WHERE window_id = ? AND shard = ? "
        "AND node_id = ? AND token = ? AND state = 'claimed'",
        unit.window_id, unit.shard, me_.node_id, unit.claim_token);
    tx.Commit();
  });
}

void MarkClaimFailed(store::Connection& conn, const NodeIdentity& me, const job::Unit& unit,
                     int64_t job_id) {
  store::RetryTransient("marking a failed claim", [&] {
    store::Transaction tx(conn);
    conn.Run(
        "UPDATE ${usage}.usaged_claim SET state = 'failed', job_id = ? "
        "WHERE window_id = ? AND shard = ? AND node_id = ? AND token = ?",
        job_id, unit.window_id, unit.shard, me.node_id, unit.claim_token);
    tx.Commit();
  });
}

}  // namespace usaged::cluster
