#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "store/connection.h"
#include "store/mariadb/mariadb_params.h"

namespace usaged::store {

// Held while a process runs usage jobs; released on destruction.
class JobLock {
 public:
  virtual ~JobLock() = default;
};

// A database usaged works on: the CloudStack `cloud` and `cloud_usage`
// databases on one engine. Thread-safe: each thread opens its own Connection.
class Store {
 public:
  virtual ~Store() = default;
  virtual Engine engine() const = 0;
  // Where the store is, without credentials (safe to log).
  virtual std::string Describe() const = 0;
  // Opens a session. With create=true (only `usaged init`) missing databases
  // are created; otherwise a missing database is an error.
  virtual std::unique_ptr<Connection> Connect(bool create = false) = 0;
  // Excludes other processes from running jobs where the engine cannot let
  // them share the work (SQLite). Throws DbError naming the holder if another
  // process has it.
  virtual std::unique_ptr<JobLock> LockJobs() = 0;
  // A store that reads this store's `cloud` database and keeps every usage
  // table in a database of its own named `name` (MariaDB: a database on the
  // same server, created here when missing; SQLite: the file DIR/name.db), so
  // that work done there never writes CloudStack's cloud_usage (`usaged
  // compare`). Its LockJobs() excludes other users of the same shadow only.
  // Throws InputError for a name that is not [A-Za-z0-9_]{1,64}.
  virtual std::unique_ptr<Store> Shadow(const std::string& name) = 0;
  // The usage database the store names (for a default shadow name).
  virtual std::string UsageDatabaseName() const = 0;
};

// Opens a store from a URL:
//   sqlite:DIR    the embedded store in directory DIR (cloud.db, cloud_usage.db)
//   mariadb://USER[:PASSWORD]@HOST[:PORT][/?cloud=DB&usage=DB&socket=PATH]
// Throws InputError naming the problem (never echoing a password) if malformed.
std::unique_ptr<Store> OpenStore(std::string_view url);
std::unique_ptr<Store> OpenMariaDbStore(const MariaDbParams& params);

}  // namespace usaged::store
