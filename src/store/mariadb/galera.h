#pragma once

#include <memory>

#include "store/connection.h"
#include "store/store.h"

namespace usaged::store {

// True when `conn` talks to a node of a MariaDB Galera cluster. There, row
// locks and server locks (GET_LOCK) are local to one DB node, and a
// transaction that conflicts with one committed on another node is refused
// with a deadlock error (at COMMIT, or at its next statement).
bool IsGaleraCluster(Connection& conn);

// The job lock on a Galera cluster, where a server lock taken on one DB node
// is invisible on the others: the `jobs` row of usaged_lease, taken in a
// transaction (so two DB nodes cannot both grant it) with an expiry that a
// thread renews on `conn` every 10 s. A process that dies leaves it to expire
// (30 s). Throws DbError if another live process holds it.
std::unique_ptr<JobLock> TakeGaleraJobLock(std::unique_ptr<Connection> conn,
                                           const std::string& where);

}  // namespace usaged::store
