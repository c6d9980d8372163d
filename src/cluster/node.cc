#include "cluster/node.h"

#include <spdlog/spdlog.h>
#include <unistd.h>

#include "core/clock.h"
#include "job/job_log.h"
#include "store/retry.h"

namespace usaged::cluster {

std::unique_ptr<Node> Node::Join(store::Store& store, int lease_seconds) {
  auto conn = store.Connect();
  ReadCommittedEverywhere(*conn);
  NodeIdentity me;
  me.lease_ms = static_cast<int64_t>(lease_seconds) * 1000;
  {
    store::Transaction tx(*conn);
    conn->Run(
        "INSERT INTO ${usage}.usaged_node (host, pid, started_at, heartbeat_millis) "
        "VALUES (?, ?, ?, ?)",
        job::HostName(), static_cast<int64_t>(getpid()), SystemClock().Now(),
        DbNowMillis(*conn));
    me.node_id = conn->LastInsertId();
    // Held before the row is visible, so no node ever sees us without it.
    if (!conn->IsGaleraNode()) {
      conn->QueryInt("SELECT GET_LOCK(?, 0)", NodeLockName(me.node_id));
    }
    tx.Commit();
  }
  spdlog::info("joined as node {} (lease {} s)", me.node_id, lease_seconds);
  return std::unique_ptr<Node>(new Node(std::move(conn), me));
}

Node::Node(std::unique_ptr<store::Connection> conn, NodeIdentity me)
    : conn_(std::move(conn)), me_(me), thread_([this] { Loop(); }) {}

Node::~Node() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  wake_.notify_all();
  thread_.join();
  try {
    store::RetryTransient("recording the node's stop", [this] { RecordStop(); }, 3);
  } catch (const std::exception& e) {
    spdlog::warn("node {}: could not record its stop: {}", me_.node_id, e.what());
  }
}

void Node::RecordStop() {
  store::Transaction tx(*conn_);
  int64_t now = DbNowMillis(*conn_);
  conn_->Run("UPDATE ${usage}.usaged_node SET stopped_millis = ? WHERE id = ?", now,
             me_.node_id);
  // What this node held becomes free at once instead of after the lease.
  conn_->Run(
      "UPDATE ${usage}.usaged_lease SET node_id = NULL, expires_millis = 0 WHERE node_id = ?",
      me_.node_id);
  conn_->Run(
      "UPDATE ${usage}.usaged_claim SET expires_millis = 0 WHERE node_id = ? AND "
      "state = 'claimed'",
      me_.node_id);
  tx.Commit();
}

void Node::Renew() {
  store::Transaction tx(*conn_);
  int64_t now = DbNowMillis(*conn_);
  int64_t until = now + me_.lease_ms;
  // Lease row first, then claims: the order a claim locks them in.
  conn_->Run(
      "UPDATE ${usage}.usaged_lease SET expires_millis = ? WHERE name = 'ingest' AND "
      "node_id = ? AND expires_millis > ?",
      until, me_.node_id, now);
  conn_->Run(
      "UPDATE ${usage}.usaged_claim SET expires_millis = ? WHERE node_id = ? AND "
      "state = 'claimed' AND expires_millis > ?",
      until, me_.node_id, now);
  conn_->Run("UPDATE ${usage}.usaged_node SET heartbeat_millis = ? WHERE id = ?", now,
             me_.node_id);
  tx.Commit();
}

void Node::Loop() {
  const auto period = std::chrono::milliseconds(std::max<int64_t>(me_.lease_ms / 3, 100));
  std::unique_lock lock(mu_);
  while (!wake_.wait_for(lock, period, [this] { return stopping_; })) {
    lock.unlock();
    try {
      // A renewal that conflicts with another node's commit (a Galera
      // cluster refuses one of the two) is made again at once: the next
      // period may come too late for the lease.
      store::RetryTransient("renewing the node's leases", [this] { Renew(); }, 3);
    } catch (const std::exception& e) {
      spdlog::warn("node {}: renewing its leases failed: {}", me_.node_id, e.what());
    }
    lock.lock();
  }
}

}  // namespace usaged::cluster
