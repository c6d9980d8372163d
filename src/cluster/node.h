#pragma once

#include <condition_variable>
#include <memory>
#include <mutex>
#include <thread>

#include "cluster/claims.h"
#include "store/store.h"

namespace usaged::cluster {

// This process as one node of several sharing a MariaDB database. Joining
// registers it in usaged_node; until it leaves, a background thread renews,
// every third of the lease, its node row, its live claims and the ingest lease
// if it holds it. A renewal never revives an expired claim: once another node
// may have taken a unit over, this node cannot commit it (see ClaimFence).
// A process that is killed or paused simply stops renewing.
class Node {
 public:
  static std::unique_ptr<Node> Join(store::Store& store, int lease_seconds);
  ~Node();  // stops renewing and marks the node stopped
  Node(const Node&) = delete;
  Node& operator=(const Node&) = delete;

  const NodeIdentity& identity() const { return me_; }

 private:
  Node(std::unique_ptr<store::Connection> conn, NodeIdentity me);
  void Renew();
  void RecordStop();
  void Loop();

  std::unique_ptr<store::Connection> conn_;
  NodeIdentity me_;
  std::mutex mu_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace usaged::cluster
