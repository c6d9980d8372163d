#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/time.h"
#include "core/usage_record.h"

namespace usaged::store {

enum class Engine { kSqlite, kMariaDb };

// A prepared SQL statement. Parameters are `?`, numbered from 1; columns of
// the current row are numbered from 0. Not thread-safe: a statement belongs to
// the connection that prepared it.
class Statement {
 public:
  virtual ~Statement() = default;

  // Clears bindings and any pending result so the statement can run again.
  virtual void Reset() = 0;
  virtual void BindNull(int index) = 0;
  virtual void BindInt(int index, int64_t value) = 0;
  virtual void BindDouble(int index, double value) = 0;
  virtual void BindText(int index, std::string_view value) = 0;
  // Bound as a DATETIME (whole seconds, UTC).
  virtual void BindTime(int index, Instant value) = 0;

  // Runs the statement (first call) and moves to the next row. Returns false
  // when there are no more rows.
  virtual bool Next() = 0;
  // Runs a statement that returns no rows; returns the number of rows changed.
  virtual int64_t Run() = 0;

  virtual bool IsNull(int column) = 0;
  virtual int64_t Int(int column) = 0;
  virtual double Double(int column) = 0;
  virtual std::string Text(int column) = 0;
  virtual Instant Time(int column) = 0;

  std::optional<int64_t> OptInt(int column) {
    return IsNull(column) ? std::nullopt : std::optional<int64_t>(Int(column));
  }
  std::optional<std::string> OptText(int column) {
    return IsNull(column) ? std::nullopt : std::optional<std::string>(Text(column));
  }
  std::optional<Instant> OptTime(int column) {
    return IsNull(column) ? std::nullopt : std::optional<Instant>(Time(column));
  }

  // Resets, then binds each argument to parameters 1..n in order.
  template <class... Args>
  Statement& Bind(const Args&... args) {
    Reset();
    int index = 1;
    (BindOne(index++, args), ...);
    return *this;
  }

 private:
  void BindOne(int i, std::nullopt_t) { BindNull(i); }
  void BindOne(int i, int v) { BindInt(i, v); }
  void BindOne(int i, long v) { BindInt(i, v); }
  void BindOne(int i, long long v) { BindInt(i, v); }
  void BindOne(int i, bool v) { BindInt(i, v ? 1 : 0); }
  void BindOne(int i, double v) { BindDouble(i, v); }
  void BindOne(int i, std::string_view v) { BindText(i, v); }
  void BindOne(int i, const std::string& v) { BindText(i, v); }
  void BindOne(int i, const char* v) { BindText(i, v); }
  void BindOne(int i, Instant v) { BindTime(i, v); }
  template <class T>
  void BindOne(int i, const std::optional<T>& v) {
    if (v) {
      BindOne(i, *v);
    } else {
      BindNull(i);
    }
  }
};

// One session with the database. SQL text may name the two CloudStack
// databases as ${cloud} and ${usage} (e.g. "${usage}.cloud_usage"); the
// connection substitutes the configured names. Not thread-safe.
class Connection {
 public:
  virtual ~Connection() = default;

  virtual Engine engine() const = 0;

  // Prepares (or returns the cached copy of) a statement. The reference stays
  // valid until the connection is destroyed. Do not use one cached statement
  // for two purposes at once (e.g. while iterating its own rows).
  virtual Statement& Prepare(std::string_view sql) = 0;
  // Runs SQL that binds nothing and returns nothing (may hold several
  // statements separated by ";\n").
  virtual void Exec(std::string_view sql) = 0;

  virtual void Begin() = 0;
  virtual void Commit() = 0;
  virtual void Rollback() = 0;
  virtual bool InTransaction() const = 0;

  // True when the server is a node of a MariaDB Galera cluster with
  // replication on (known from the connect, no query). There, row locks and
  // server locks (GET_LOCK) are local to one DB node, and a transaction that
  // conflicts with one committed on another node is refused with a deadlock
  // error (at COMMIT, or at its next statement).
  virtual bool IsGaleraNode() const { return false; }

  virtual int64_t LastInsertId() = 0;

  // Appends rows to ${usage}.cloud_usage, in the given order, inside the
  // caller's transaction. Throws DuplicateKeyError if a usage_key exists.
  virtual void InsertUsageRecords(const std::vector<UsageRecord>& records) = 0;

  // The SQL with ${cloud}/${usage} and engine words (${insert_ignore})
  // substituted.
  virtual std::string Expand(std::string_view sql) const = 0;

  // Decrypts a value CloudStack stored encrypted in its database (secure
  // configuration values such as alert.smtp.password, users' secret keys)
  // with the database secret of db.properties (db.cloud.encrypt.secret).
  // nullopt when usaged was not given that secret (--db, or a db.properties
  // without encryption) or `stored` does not decrypt with it (then it is
  // plain text).
  virtual std::optional<std::string> DecryptCloudStackValue(std::string_view stored) const {
    (void)stored;
    return std::nullopt;
  }

  // Runs `sql` and returns the first column of the first row (nullopt if no
  // row or NULL).
  template <class... Args>
  std::optional<int64_t> QueryInt(std::string_view sql, const Args&... args) {
    auto& st = Prepare(sql).Bind(args...);
    std::optional<int64_t> v;
    if (st.Next()) v = st.OptInt(0);
    st.Reset();
    return v;
  }
  template <class... Args>
  int64_t Run(std::string_view sql, const Args&... args) {
    return Prepare(sql).Bind(args...).Run();
  }
};

// Rolls back on destruction unless committed.
class Transaction {
 public:
  explicit Transaction(Connection& conn) : conn_(conn) { conn_.Begin(); }
  ~Transaction() {
    if (!done_) {
      try {
        conn_.Rollback();
      } catch (...) {
      }
    }
  }
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;

  void Commit() {
    conn_.Commit();
    done_ = true;
  }

 private:
  Connection& conn_;
  bool done_ = false;
};

}  // namespace usaged::store
