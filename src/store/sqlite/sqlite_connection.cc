#include "store/sqlite/sqlite_connection.h"

#include <fmt/format.h>
#include <sqlite3.h>

#include <filesystem>
#include <map>

#include "core/error.h"
#include "store/sql_text.h"

namespace usaged::store {

void ThrowSqliteError(sqlite3* db, int rc, std::string_view context) {
  int extended = db ? sqlite3_extended_errcode(db) : rc;
  std::string msg = fmt::format("SQLite error in {}: {}", context,
                                db ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
  if (extended == SQLITE_CONSTRAINT_UNIQUE || extended == SQLITE_CONSTRAINT_PRIMARYKEY) {
    throw DuplicateKeyError(msg, extended);
  }
  int primary = rc & 0xff;
  bool transient = primary == SQLITE_BUSY || primary == SQLITE_LOCKED;
  throw DbError(msg, extended, transient);
}

namespace {

class SqliteStatement final : public Statement {
 public:
  SqliteStatement(sqlite3* db, const std::string& sql) : db_(db), sql_(sql) {
    int rc = sqlite3_prepare_v3(db, sql.c_str(), static_cast<int>(sql.size()),
                                SQLITE_PREPARE_PERSISTENT, &stmt_, nullptr);
    if (rc != SQLITE_OK) ThrowSqliteError(db, rc, Context());
  }
  ~SqliteStatement() override { sqlite3_finalize(stmt_); }

  void Reset() override {
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
    started_ = false;
    has_row_ = false;
  }
  void BindNull(int i) override { Check(sqlite3_bind_null(stmt_, i)); }
  void BindInt(int i, int64_t v) override { Check(sqlite3_bind_int64(stmt_, i, v)); }
  void BindDouble(int i, double v) override { Check(sqlite3_bind_double(stmt_, i, v)); }
  void BindText(int i, std::string_view v) override {
    Check(sqlite3_bind_text(stmt_, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT));
  }
  void BindTime(int i, Instant v) override { BindText(i, FormatUtc(v)); }

  bool Next() override {
    if (started_ && !has_row_) return false;
    started_ = true;
    int rc = sqlite3_step(stmt_);
    if (rc == SQLITE_ROW) return has_row_ = true;
    has_row_ = false;
    if (rc == SQLITE_DONE) return false;
    int err = rc;
    sqlite3_reset(stmt_);
    ThrowSqliteError(db_, err, Context());
  }
  int64_t Run() override {
    while (Next()) {
    }
    int64_t changed = sqlite3_changes64(db_);
    sqlite3_reset(stmt_);
    started_ = false;
    return changed;
  }

  bool IsNull(int c) override { return sqlite3_column_type(stmt_, c) == SQLITE_NULL; }
  int64_t Int(int c) override { return sqlite3_column_int64(stmt_, c); }
  double Double(int c) override { return sqlite3_column_double(stmt_, c); }
  std::string Text(int c) override {
    auto* p = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, c));
    return p ? std::string(p, sqlite3_column_bytes(stmt_, c)) : std::string();
  }
  Instant Time(int c) override {
    std::string s = Text(c);
    // Stored as "YYYY-MM-DD HH:MM:SS"; tolerate a fractional part.
    auto t = TryParseUtc(std::string_view(s).substr(0, 19));
    if (!t) {
      throw DbError(fmt::format("column {} holds '{}', not a DATETIME, in {}", c, s, Context()),
                    0, false);
    }
    return *t;
  }

 private:
  void Check(int rc) {
    if (rc != SQLITE_OK) ThrowSqliteError(db_, rc, Context());
  }
  std::string Context() const { return fmt::format("\"{}\"", sql_.substr(0, 160)); }

  sqlite3* db_;
  std::string sql_;
  sqlite3_stmt* stmt_ = nullptr;
  bool started_ = false;
  bool has_row_ = false;
};

void CheckOpenable(const std::filesystem::path& file, bool create) {
  std::error_code ec;
  auto status = std::filesystem::status(file, ec);
  if (std::filesystem::exists(status)) {
    if (!std::filesystem::is_regular_file(status)) {
      throw DbError(fmt::format("cannot open SQLite database {}: not a regular file",
                                file.string()), 0, false);
    }
    return;
  }
  if (!create) {
    throw DbError(fmt::format("no usaged database at {} ({} is missing): run `usaged init` "
                              "first or check --db", file.parent_path().string(),
                              file.filename().string()), 0, false);
  }
}

// The writer mutex of a store directory, shared by every connection of this
// process to it.
std::shared_ptr<std::timed_mutex> WriterMutexFor(const std::filesystem::path& dir) {
  static std::mutex mu;
  static std::map<std::string, std::weak_ptr<std::timed_mutex>> writers;
  std::error_code ec;
  std::string key = std::filesystem::weakly_canonical(dir, ec).string();
  if (ec) key = std::filesystem::absolute(dir).string();
  std::lock_guard lock(mu);
  std::shared_ptr<std::timed_mutex> writer = writers[key].lock();
  if (!writer) {
    writer = std::make_shared<std::timed_mutex>();
    writers[key] = writer;
  }
  return writer;
}

}  // namespace

SqliteConnection::SqliteConnection(const std::string& dir, bool create, int busy_timeout_ms)
    : busy_timeout_ms_(busy_timeout_ms) {
  Open(dir, "cloud_usage.db", create, create);
}

SqliteConnection::SqliteConnection(const std::string& dir, const std::string& usage_file,
                                   int busy_timeout_ms)
    : busy_timeout_ms_(busy_timeout_ms) {
  Open(dir, usage_file, /*create_cloud=*/false, /*create_usage=*/true);
}

void SqliteConnection::Open(const std::string& dir, const std::string& usage_file,
                            bool create_cloud, bool create_usage) {
  namespace fs = std::filesystem;
  fs::path root(dir);
  std::error_code ec;
  if (create_cloud) {
    fs::create_directories(root, ec);
    if (ec) {
      throw DbError(fmt::format("cannot create database directory {}: {}", dir, ec.message()), 0,
                    false);
    }
  } else if (!fs::is_directory(root, ec)) {
    throw DbError(fmt::format("no usaged database at {}: not a directory (run `usaged init` "
                              "first or check --db)", dir), 0, false);
  }
  CheckOpenable(root / "cloud.db", create_cloud);
  CheckOpenable(root / usage_file, create_usage);

  int rc = sqlite3_open_v2(":memory:", &db_, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE |
                                                 SQLITE_OPEN_NOMUTEX, nullptr);
  if (rc != SQLITE_OK) ThrowSqliteError(db_, rc, "open");
  sqlite3_busy_timeout(db_, busy_timeout_ms_);
  sqlite3_extended_result_codes(db_, 1);
  const std::pair<const char*, std::string> files[] = {{"cloud", "cloud.db"},
                                                       {"cloud_usage", usage_file}};
  for (const auto& [name, file_name] : files) {
    std::string file = (root / file_name).string();
    Statement& attach = Prepare(fmt::format("ATTACH DATABASE ? AS {}", name));
    try {
      attach.Bind(file).Run();
      // Touch the file now so an unreadable or foreign file fails here.
      Exec(fmt::format("PRAGMA {}.journal_mode=WAL", name));
      Exec(fmt::format("PRAGMA {}.synchronous=NORMAL", name));
      // 64 MiB of page cache: index pages of a large cloud_usage stay hot.
      Exec(fmt::format("PRAGMA {}.cache_size=-65536", name));
      QueryInt(fmt::format("SELECT count(*) FROM {}.sqlite_master", name));
    } catch (const DbError& e) {
      throw DbError(fmt::format("cannot open SQLite database {}: {}", file, e.what()), e.code(),
                    false);
    }
  }
  cache_.clear();
  // A shadow store's writes go to its own file: it gets a writer of its own.
  writer_ = WriterMutexFor(usage_file == "cloud_usage.db" ? root : root / usage_file);
}

SqliteConnection::~SqliteConnection() {
  cache_.clear();
  if (db_) sqlite3_close_v2(db_);
}

std::string SqliteConnection::Expand(std::string_view sql) const {
  return ExpandSql(sql, "cloud", "cloud_usage", "INSERT OR IGNORE");
}

Statement& SqliteConnection::Prepare(std::string_view sql) {
  std::string key(sql);
  auto it = cache_.find(key);
  if (it != cache_.end()) {
    it->second->Reset();
    return *it->second;
  }
  auto st = std::make_unique<SqliteStatement>(db_, Expand(sql));
  auto& ref = *st;
  cache_.emplace(std::move(key), std::move(st));
  return ref;
}

void SqliteConnection::Exec(std::string_view sql) {
  std::string text = Expand(sql);
  char* err = nullptr;
  int rc = sqlite3_exec(db_, text.c_str(), nullptr, nullptr, &err);
  if (rc != SQLITE_OK) {
    std::string message = err ? err : sqlite3_errstr(rc);
    sqlite3_free(err);
    ThrowSqliteError(db_, rc, fmt::format("\"{}\" ({})", text.substr(0, 160), message));
  }
}

void SqliteConnection::Begin() {
  if (writing_.owns_lock()) {
    throw DbError("SQLite: a transaction is already open on this connection", SQLITE_MISUSE,
                  false);
  }
  std::unique_lock lock(*writer_, std::defer_lock);
  if (!lock.try_lock_for(std::chrono::milliseconds(busy_timeout_ms_))) {
    throw DbError(fmt::format("SQLite database busy: another transaction of this process has "
                              "been writing for over {} ms", busy_timeout_ms_),
                  SQLITE_BUSY, true);
  }
  Exec("BEGIN IMMEDIATE");
  writing_ = std::move(lock);
  in_transaction_ = true;
}

void SqliteConnection::Commit() {
  Exec("COMMIT");
  in_transaction_ = false;
  if (writing_.owns_lock()) writing_.unlock();
}

void SqliteConnection::Rollback() {
  in_transaction_ = false;
  // The writer mutex goes with this scope, also when ROLLBACK throws.
  std::unique_lock<std::timed_mutex> writing = std::move(writing_);
  if (sqlite3_get_autocommit(db_)) return;
  Exec("ROLLBACK");
}

int64_t SqliteConnection::LastInsertId() { return sqlite3_last_insert_rowid(db_); }

void SqliteConnection::InsertUsageRecords(const std::vector<UsageRecord>& records) {
  Statement& st = Prepare(kInsertUsageRecordSql);
  for (const auto& r : records) {
    st.Bind(r.zone_id, r.account_id, r.domain_id, r.description, r.usage_display, r.usage_type,
            r.raw_usage, r.vm_instance_id, r.vm_name, r.offering_id, r.template_id, r.usage_id,
            r.type, r.size, r.network_id, r.start_date, r.end_date, r.virtual_size, r.cpu_speed,
            r.cpu_cores, r.memory, r.quota_calculated, r.is_hidden, r.state, r.usage_key);
    st.Run();
  }
}

}  // namespace usaged::store
