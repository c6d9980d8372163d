#pragma once

#include <memory>
#include <string>
#include <unordered_map>

#include "store/connection.h"
#include "store/mariadb/mariadb_params.h"

struct st_mysql;

namespace usaged::store {

class MariaDbStatement;

// A Connection to MariaDB (Connector/C). Statements are server-side prepared
// and cached. Record inserts use bulk array binding when the server supports
// it, multi-row INSERT otherwise. A lost connection is re-established on the
// next statement outside a transaction (inside one, the error is transient
// and the caller redoes the transaction).
//
// On a Galera node a transaction is guarded: a local transaction that a
// write-set from another DB node aborts (a "brute force" abort) is sometimes
// rolled back without the next prepared statement reporting it, which then
// runs on its own and commits. So there, transactions run with autocommit off
// (such statements stay uncommitted) and begin by writing a row to a
// session-private table; Commit deletes that row first, and finding none means
// the transaction was lost: it rolls back and throws a transient error.
class MariaDbConnection final : public Connection {
 public:
  // With create=true the two databases are created if missing.
  MariaDbConnection(MariaDbParams params, bool create);
  ~MariaDbConnection() override;

  Engine engine() const override { return Engine::kMariaDb; }
  Statement& Prepare(std::string_view sql) override;
  void Exec(std::string_view sql) override;
  void Begin() override;
  void Commit() override;
  void Rollback() override;
  bool InTransaction() const override { return in_transaction_; }
  bool IsGaleraNode() const override { return galera_; }
  int64_t LastInsertId() override;
  void InsertUsageRecords(const std::vector<UsageRecord>& records) override;
  std::string Expand(std::string_view sql) const override;
  std::optional<std::string> DecryptCloudStackValue(std::string_view stored) const override;

  // For statements: the live handle, reconnecting first if the connection
  // was lost and no transaction is open. Throws DbError if that fails.
  st_mysql* Handle();
  // Converts the handle's current error into an exception (marking the
  // connection lost when the server went away).
  [[noreturn]] void Fail(unsigned error, const std::string& message, std::string_view context);
  uint64_t generation() const { return generation_; }
  void set_last_insert_id(int64_t id) { last_insert_id_ = id; }
  bool bulk_supported() const { return bulk_supported_; }

 private:
  void Connect();
  void Close();
  void BeginGuarded();
  // Deletes the guard row; false if the transaction that wrote it was lost.
  bool GuardRowPresent();
  // Back to autocommit after a guarded transaction ended (best effort).
  void EndGuarded();
  // Ends the transaction with mysql_commit or mysql_rollback.
  void End(char (*end)(st_mysql*), const char* what);

  MariaDbParams params_;
  st_mysql* mysql_ = nullptr;
  bool lost_ = false;
  bool in_transaction_ = false;
  bool bulk_supported_ = false;
  bool galera_ = false;                  // the server is a Galera node: transactions are guarded
  uint64_t guard_generation_ = 0;        // connection generation whose guard table exists
  uint64_t guard_sequence_ = 0;          // the guard row of the current transaction
  uint64_t generation_ = 0;  // bumped on every (re)connect; statements re-prepare
  int64_t last_insert_id_ = 0;
  std::unordered_map<std::string, std::unique_ptr<MariaDbStatement>> cache_;
};

// The DbError for a MariaDB error number: 1062 duplicate key, 1213 deadlock and
// 1205 lock wait timeout and lost connections transient, access errors with
// a hint.
[[noreturn]] void ThrowMariaDbError(unsigned error, const std::string& message,
                                    std::string_view context);

}  // namespace usaged::store
