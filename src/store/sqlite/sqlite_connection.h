#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

#include "store/connection.h"

struct sqlite3;

namespace usaged::store {

// A Connection to the embedded store: an in-memory main database with the two
// files DIR/cloud.db and DIR/cloud_usage.db attached as `cloud` and
// `cloud_usage`, so SQL names tables exactly as on MariaDB. WAL journal; a
// busy database is waited for up to `busy_timeout_ms`. Connections of one
// process to the same directory hand the write lock to each other through a
// mutex (SQLite's own busy wait polls with growing sleeps, which leaves the
// lock idle while parallel workers queue for it); readers are never blocked.
class SqliteConnection final : public Connection {
 public:
  // Opens and attaches the two files. With create=false a missing file is an
  // error (so a typo in --db does not silently create an empty store).
  SqliteConnection(const std::string& dir, bool create, int busy_timeout_ms = 30000);
  // Attaches DIR/cloud.db, which must exist, as `cloud` and DIR/`usage_file`
  // (created when missing) as `cloud_usage`: a shadow store's session.
  SqliteConnection(const std::string& dir, const std::string& usage_file,
                   int busy_timeout_ms = 30000);
  ~SqliteConnection() override;

  Engine engine() const override { return Engine::kSqlite; }
  Statement& Prepare(std::string_view sql) override;
  void Exec(std::string_view sql) override;
  void Begin() override;
  void Commit() override;
  void Rollback() override;
  bool InTransaction() const override { return in_transaction_; }
  int64_t LastInsertId() override;
  void InsertUsageRecords(const std::vector<UsageRecord>& records) override;
  std::string Expand(std::string_view sql) const override;

 private:
  void Open(const std::string& dir, const std::string& usage_file, bool create_cloud,
            bool create_usage);
  sqlite3* db_ = nullptr;
  bool in_transaction_ = false;
  int busy_timeout_ms_;
  std::shared_ptr<std::timed_mutex> writer_;  // shared by this process's connections
  std::unique_lock<std::timed_mutex> writing_;  // held from Begin to Commit/Rollback
  std::unordered_map<std::string, std::unique_ptr<Statement>> cache_;
};

// Throws the DbError (or DuplicateKeyError) for an SQLite result code.
[[noreturn]] void ThrowSqliteError(sqlite3* db, int rc, std::string_view context);

}  // namespace usaged::store
