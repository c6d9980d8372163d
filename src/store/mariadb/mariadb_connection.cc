#include "store/mariadb/mariadb_connection.h"

#include <errmsg.h>
#include <fmt/format.h>
#include <mysql.h>
#include <mysqld_error.h>

#include <chrono>

#include "core/error.h"
#include "store/mariadb/cloudstack_encryption.h"
#include "store/mariadb/mariadb_statement.h"
#include "store/sql_text.h"

namespace usaged::store {

void ThrowMariaDbError(unsigned error, const std::string& message, std::string_view context) {
  std::string text = fmt::format("MariaDB error {} in {}: {}", error, context, message);
  switch (error) {
    case ER_DUP_ENTRY:
    case ER_DUP_KEY:
      throw DuplicateKeyError(text, static_cast<int>(error));
    case ER_LOCK_DEADLOCK:
    case ER_LOCK_WAIT_TIMEOUT:
    case CR_SERVER_GONE_ERROR:
    case CR_SERVER_LOST:
    case CR_SERVER_LOST_EXTENDED:
    case CR_CONNECTION_ERROR:
    case CR_CONN_HOST_ERROR:
    case ER_CONNECTION_KILLED:
    case ER_SERVER_SHUTDOWN:
    case 4031:  // client idle timeout: the server closed the connection
      throw DbError(text, static_cast<int>(error), true);
    case ER_TABLEACCESS_DENIED_ERROR:
    case ER_COLUMNACCESS_DENIED_ERROR:
    case ER_DBACCESS_DENIED_ERROR:
    case ER_SPECIFIC_ACCESS_DENIED_ERROR:
      throw DbError(text + " (the database user lacks a privilege usaged needs: SELECT on the "
                           "cloud database and SELECT, INSERT, UPDATE, DELETE, CREATE, ALTER, "
                           "INDEX, DROP on the usage database, and on a Galera cluster also "
                           "CREATE TEMPORARY TABLES there)",
                    static_cast<int>(error), false);
    case ER_UNKNOWN_COM_ERROR:
      // A Galera node that is not Synced (joining, or cut off from the
      // primary component) refuses statements for a while with this code.
      throw DbError(text, static_cast<int>(error), text.find("WSREP") != std::string::npos);
    case ER_OPTION_PREVENTS_STATEMENT:
      throw DbError(text + " (the server is read-only)", static_cast<int>(error), false);
    default:
      throw DbError(text, static_cast<int>(error), false);
  }
}

namespace {

bool IsConnectionLoss(unsigned error) {
  return error == CR_SERVER_GONE_ERROR || error == CR_SERVER_LOST ||
         error == CR_SERVER_LOST_EXTENDED || error == CR_CONNECTION_ERROR ||
         error == CR_CONN_HOST_ERROR || error == ER_CONNECTION_KILLED ||
         error == ER_SERVER_SHUTDOWN || error == 4031;
}

std::string Quote(const std::string& name) { return "`" + name + "`"; }

// Whether the server is a node of a Galera cluster with replication on (a
// server built without Galera support does not know the variable).
bool ServerIsGaleraNode(st_mysql* m) {
  const std::string sql = "SELECT @@wsrep_on";
  if (mysql_real_query(m, sql.data(), sql.size()) != 0) return false;
  bool on = false;
  if (MYSQL_RES* res = mysql_store_result(m)) {
    if (MYSQL_ROW row = mysql_fetch_row(res); row && row[0]) on = std::string(row[0]) == "1";
    mysql_free_result(res);
  }
  return on;
}

}  // namespace

MariaDbConnection::MariaDbConnection(MariaDbParams params, bool create)
    : params_(std::move(params)) {
  Connect();
  if (create) {
    for (const auto& db : {params_.cloud_db, params_.usage_db}) {
      Exec("CREATE DATABASE IF NOT EXISTS " + Quote(db));
    }
  } else {
    for (const auto& db : {params_.cloud_db, params_.usage_db}) {
      auto& q = Prepare("SELECT count(*) FROM information_schema.schemata WHERE schema_name = ?")
                    .Bind(db);
      bool found = q.Next() && q.Int(0) > 0;
      q.Reset();
      if (!found) {
        throw DbError(fmt::format("database `{}` does not exist on {} (or the user may not see "
                                  "it): run `usaged init`, or check --db",
                                  db, params_.Describe()),
                      ER_BAD_DB_ERROR, false);
      }
    }
  }
}

MariaDbConnection::~MariaDbConnection() {
  cache_.clear();
  Close();
}

void MariaDbConnection::Close() {
  if (mysql_) mysql_close(mysql_);
  mysql_ = nullptr;
}

void MariaDbConnection::Connect() {
  Close();
  mysql_ = mysql_init(nullptr);
  if (!mysql_) throw DbError("cannot allocate a MariaDB connection handle", 0, false);
  unsigned timeout = static_cast<unsigned>(params_.connect_timeout_s);
  unsigned read_timeout = static_cast<unsigned>(params_.read_timeout_s);
  mysql_optionsv(mysql_, MYSQL_OPT_CONNECT_TIMEOUT, &timeout);
  mysql_optionsv(mysql_, MYSQL_OPT_READ_TIMEOUT, &read_timeout);
  mysql_optionsv(mysql_, MYSQL_OPT_WRITE_TIMEOUT, &read_timeout);
  mysql_optionsv(mysql_, MYSQL_SET_CHARSET_NAME, "utf8mb4");
  const char* socket = params_.socket.empty() ? nullptr : params_.socket.c_str();
  const auto started = std::chrono::steady_clock::now();
  if (!mysql_real_connect(mysql_, params_.host.c_str(), params_.user.c_str(),
                          params_.password.c_str(), nullptr, static_cast<unsigned>(params_.port),
                          socket, 0)) {
    unsigned error = mysql_errno(mysql_);
    std::string message = mysql_error(mysql_);
    Close();
    // A server that accepts connections but never answers (hung, or a
    // firewall that drops) is only noticed by the timeout: name it, and
    // where it is set, rather than only the client library's words.
    const auto waited = std::chrono::steady_clock::now() - started;
    if (params_.connect_timeout_s > 0 &&
        waited >= std::chrono::milliseconds(params_.connect_timeout_s * 900)) {
      throw DbError(fmt::format("could not connect to {} within {} s (connect_timeout; set it "
                                "with ?connect_timeout=S in --db): {}",
                                params_.Describe(), params_.connect_timeout_s, message),
                    static_cast<int>(error), IsConnectionLoss(error));
    }
    throw DbError(fmt::format("cannot connect to {}: {}", params_.Describe(), message),
                  static_cast<int>(error), IsConnectionLoss(error));
  }
  unsigned long caps = 0;
  mariadb_get_infov(mysql_, MARIADB_CONNECTION_EXTENDED_SERVER_CAPABILITIES, &caps);
  unsigned long server_caps = 0;
  mariadb_get_infov(mysql_, MARIADB_CONNECTION_SERVER_CAPABILITIES, &server_caps);
  bulk_supported_ = !(server_caps & CLIENT_MYSQL) &&
                    (caps & (MARIADB_CLIENT_STMT_BULK_OPERATIONS >> 32));
  ++generation_;
  lost_ = false;
  galera_ = ServerIsGaleraNode(mysql_);
  // UTC for NOW() and friends; READ COMMITTED as CloudStack uses, which also
  // avoids gap-lock deadlocks between concurrent units.
  for (const char* sql : {"SET SESSION time_zone = '+00:00'",
                          "SET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED",
                          "SET SESSION sql_mode = CONCAT(@@sql_mode, ',STRICT_TRANS_TABLES')"}) {
    if (mysql_real_query(mysql_, sql, std::strlen(sql)) != 0) {
      ThrowMariaDbError(mysql_errno(mysql_), mysql_error(mysql_), sql);
    }
  }
}

st_mysql* MariaDbConnection::Handle() {
  if (lost_ || !mysql_) {
    if (in_transaction_) {
      throw DbError("the MariaDB connection was lost inside a transaction", CR_SERVER_LOST, true);
    }
    Connect();
  }
  return mysql_;
}

void MariaDbConnection::Fail(unsigned error, const std::string& message,
                             std::string_view context) {
  if (IsConnectionLoss(error)) lost_ = true;
  ThrowMariaDbError(error, message, context);
}

std::optional<std::string> MariaDbConnection::DecryptCloudStackValue(
    std::string_view stored) const {
  if (params_.cloudstack_db_secret.empty() || stored.empty()) return std::nullopt;
  return store::DecryptCloudStackValue(params_.cloudstack_db_secret, stored);
}

std::string MariaDbConnection::Expand(std::string_view sql) const {
  return ExpandSql(sql, Quote(params_.cloud_db), Quote(params_.usage_db), "INSERT IGNORE");
}

Statement& MariaDbConnection::Prepare(std::string_view sql) {
  std::string key(sql);
  auto it = cache_.find(key);
  if (it != cache_.end()) {
    it->second->Reset();
    return *it->second;
  }
  auto st = std::make_unique<MariaDbStatement>(*this, Expand(sql));
  auto& ref = *st;
  cache_.emplace(std::move(key), std::move(st));
  return ref;
}

void MariaDbConnection::Exec(std::string_view sql) {
  std::string text = Expand(sql);
  st_mysql* m = Handle();
  if (mysql_real_query(m, text.data(), text.size()) != 0) {
    Fail(mysql_errno(m), mysql_error(m), fmt::format("\"{}\"", text.substr(0, 160)));
  }
  // Drain any result so the connection stays usable.
  do {
    if (MYSQL_RES* res = mysql_store_result(m)) mysql_free_result(res);
  } while (mysql_next_result(m) == 0);
}

void MariaDbConnection::Begin() {
  if (galera_) {
    BeginGuarded();
  } else {
    Exec("START TRANSACTION");
  }
  in_transaction_ = true;
}

void MariaDbConnection::BeginGuarded() {
  if (guard_generation_ != generation_) {
    // Temporary: private to this session, gone with it, never replicated.
    Exec("CREATE TEMPORARY TABLE IF NOT EXISTS ${usage}.usaged_transaction_guard "
         "(id bigint NOT NULL PRIMARY KEY) ENGINE=InnoDB");
    guard_generation_ = generation_;
  }
  st_mysql* m = Handle();
  if (mysql_autocommit(m, 0) != 0) Fail(mysql_errno(m), mysql_error(m), "SET autocommit = 0");
  try {
    // A row of its own per transaction: one that DDL committed early and a
    // rollback left behind cannot stand in for a later transaction's.
    ++guard_sequence_;
    Exec(fmt::format("INSERT INTO ${{usage}}.usaged_transaction_guard (id) VALUES ({})",
                     guard_sequence_));
  } catch (const DbError&) {
    EndGuarded();
    throw;
  }
}

bool MariaDbConnection::GuardRowPresent() {
  std::string sql = Expand(fmt::format(
      "DELETE FROM ${{usage}}.usaged_transaction_guard WHERE id = {}", guard_sequence_));
  st_mysql* m = Handle();
  if (mysql_real_query(m, sql.data(), sql.size()) != 0) {
    Fail(mysql_errno(m), mysql_error(m), "the transaction guard");
  }
  return mysql_affected_rows(m) == 1;
}

void MariaDbConnection::EndGuarded() {
  if (lost_ || !mysql_) return;  // a new session starts with autocommit on
  if (mysql_autocommit(mysql_, 1) != 0) lost_ = true;  // reconnect rather than run unguarded
}

void MariaDbConnection::Commit() {
  Handle();  // a connection lost inside the transaction throws here
  if (galera_) {
    bool present = false;
    try {
      present = GuardRowPresent();
    } catch (const DbError&) {
      Rollback();
      throw;
    }
    if (!present) {
      Rollback();
      throw DbError("MariaDB Galera rolled the transaction back (a conflicting write-set from "
                    "another DB node) without reporting it; it is redone",
                    ER_LOCK_DEADLOCK, true);
    }
  }
  End(mysql_commit, "COMMIT");
}

void MariaDbConnection::Rollback() {
  if (lost_ || !mysql_) {
    in_transaction_ = false;
    return;  // the server rolled back when the connection died
  }
  End(mysql_rollback, "ROLLBACK");
}

void MariaDbConnection::End(char (*end)(st_mysql*), const char* what) {
  in_transaction_ = false;
  const bool failed = end(mysql_) != 0;
  // The error is taken before EndGuarded talks to the server again.
  const unsigned error = failed ? mysql_errno(mysql_) : 0;
  const std::string message = failed ? mysql_error(mysql_) : "";
  if (galera_) EndGuarded();
  if (failed) Fail(error, message, what);
}

int64_t MariaDbConnection::LastInsertId() { return last_insert_id_; }

}  // namespace usaged::store
