#pragma once

#include <atomic>
#include <cstdint>
#include <optional>
#include <string>

#include "cluster/unit_executor.h"
#include "job/usage_run.h"
#include "store/connection.h"

namespace usaged::cluster {

// Who this process is among the nodes sharing a database, and how long its
// claims last without renewal.
struct NodeIdentity {
  int64_t node_id = 0;
  int64_t lease_ms = 30000;
};

// Epoch milliseconds on the database server's clock: every node compares
// lease expiries against the same clock, whatever its own says.
int64_t DbNowMillis(store::Connection& conn);

// Makes reads on `conn` see every write the database cluster has committed
// (Galera replicates asynchronously into each node's reads otherwise). A
// no-op on a single server.
void ReadCommittedEverywhere(store::Connection& conn);

// The name of the server lock a node holds on its own connection while it
// lives (MariaDB releases it the moment the process dies).
std::string NodeLockName(int64_t node_id);

// Frees at once what dead nodes held - their claims and the ingest lease -
// instead of waiting for their leases to expire: a node whose server lock is
// free has lost its connection, so it can commit nothing any more. On Galera
// nothing is done (leases expire). Returns the number of nodes found dead.
int64_t ReapDeadNodes(store::Connection& conn, const NodeIdentity& me);

// The ingest lease: one node at a time copies and applies events, heals and
// plans; while it holds the lease no unit is claimed, so the helper tables
// never change under a unit being parsed.
struct IngestLease {
  std::optional<int64_t> holder;  // node id; nullopt when free
  int64_t expires_ms = 0;
  int64_t token = 0;               // increases with every acquisition
  int64_t published_token = 0;     // token of the last ingest that finished
  int64_t changing_token = 0;      // token of the last ingest that changed tables
  std::optional<int64_t> ready_until_ms;  // windows ending by then may be claimed
  std::optional<int64_t> job_id;          // the logical RUN job of the ready units
  bool HeldByOther(int64_t me, int64_t now_ms) const {
    return holder && *holder != me && expires_ms > now_ms;
  }
};

// Reads the ingest lease (a plain read unless `lock` names a locking clause
// such as "FOR UPDATE", for use inside a transaction).
IngestLease ReadIngestLease(store::Connection& conn, std::string_view lock = "");

// Takes the ingest lease if it is free, expired or already ours (own
// transaction); returns its token, or nullopt if another live node holds it.
std::optional<int64_t> TryAcquireIngest(store::Connection& conn, const NodeIdentity& me);

// Marks that the ingest of lease `token` begins changing the helper tables
// (usaged_lease.changing_token), in one transaction with the check that no
// other node holds a live claim (a unit commit in flight still shows its
// claim). A unit claimed before that mark cannot commit after it
// (ClaimFence::Release), even where the claim was not seen (Galera).
enum class IngestStart { kBegun, kClaimsInFlight, kLeaseLost };
IngestStart BeginIngestChanges(store::Connection& conn, const NodeIdentity& me, int64_t token);

// Claims the next ready unit: candidates are read, then each is locked with
// SELECT ... FOR UPDATE SKIP LOCKED and claimed with a new fencing token if no
// live claim holds it. Waits while the ingest lease is held by another node or
// while other nodes hold the only remaining units (their claims end or
// expire). nullopt when nothing is left for this pass, or `stop` is set.
class ClaimSource final : public UnitSource {
 public:
  ClaimSource(NodeIdentity me, const std::atomic<bool>* stop) : me_(me), stop_(stop) {}
  std::optional<job::Unit> Next(store::Connection& conn) override;

 private:
  enum class Attempt { kClaimed, kTaken, kIngesting };
  Attempt TryClaim(store::Connection& conn, job::Unit& unit, int64_t job_id);

  NodeIdentity me_;
  const std::atomic<bool>* stop_;
};

// Fences a unit's commit with its claim: the unit commits only if this node
// still holds the claim with the same token and it has not expired, checked
// under a row lock inside the unit's transaction, and if no ingest began
// changing the helper tables since the claim. The commit writes the ingest
// lease row, so on Galera it cannot overlap an ingest start made through
// another DB node unrefused.
class ClaimFence final : public job::UnitFence {
 public:
  explicit ClaimFence(NodeIdentity me) : me_(me) {}
  void CheckHeld(store::Connection& conn, const job::Unit& unit) override;
  void Release(store::Connection& conn, const job::Unit& unit) override;
  void Abandon(store::Connection& conn, const job::Unit& unit) override;

 private:
  NodeIdentity me_;
};

// Records that this node failed the unit in the current job, so it is not
// claimed again until the next job (own transaction).
void MarkClaimFailed(store::Connection& conn, const NodeIdentity& me, const job::Unit& unit,
                     int64_t job_id);

}  // namespace usaged::cluster
