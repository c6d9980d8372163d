// Helpers the benchmarks share about the database server they measure.
#pragma once

#include <nlohmann/json.hpp>

#include "store/connection.h"

namespace usaged::bench {

// Has the MariaDB server write back the pages earlier work dirtied (for at
// most three minutes), so that a measurement does not pay for the writes of
// the preparation. The bench server is private: its flushing target is
// lowered and put back. Nothing to do on SQLite.
void WaitForCleanPages(store::Connection& conn);

// What decides whether the measured reads come from memory on MariaDB: the
// buffer pool size and the size of cloud_usage with its indexes. Empty on
// SQLite.
nlohmann::ordered_json ServerMemory(store::Connection& conn);

}  // namespace usaged::bench
