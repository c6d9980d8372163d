#pragma once

#include <memory>

#include "store/connection.h"
#include "store/store.h"

namespace usaged::store {

// The job lock on a Galera cluster, where a server lock taken on one DB node
// is invisible on the others: the `jobs` row of usaged_lease, taken in a
// transaction (so two DB nodes cannot both grant it) with an expiry that a
// thread renews on `conn` every 10 s. A process that dies leaves it to expire
// (30 s). Throws DbError if another live process holds it.
std::unique_ptr<JobLock> TakeGaleraJobLock(std::unique_ptr<Connection> conn,
                                           const std::string& where);

}  // namespace usaged::store
