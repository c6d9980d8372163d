#include "store/migrator.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <map>

#include "core/error.h"
#include "store/schema_files.h"
#include "store/sql_text.h"

namespace usaged::store {
namespace {

std::string_view EngineDir(Engine e) { return e == Engine::kSqlite ? "sqlite/" : "mariadb/"; }

}  // namespace

Migrator::Migrator(Connection& conn) : conn_(conn) {
  std::map<int, Migration> by_version;
  const std::string_view dir = EngineDir(conn.engine());
  for (const auto& f : EmbeddedSchemaFiles()) {
    if (f.path.rfind(dir, 0) != 0) continue;
    std::string file = f.path.substr(dir.size());  // NNNN_name.up.sql
    int version = std::stoi(file.substr(0, 4));
    bool up = file.size() > 7 && file.compare(file.size() - 7, 7, ".up.sql") == 0;
    std::string name = file.substr(5, file.size() - 5 - (up ? 7 : 9));
    Migration& m = by_version[version];
    m.version = version;
    m.name = name;
    if (up) {
      m.up_sql = f.text;
    } else {
      m.down_sql = f.text;
    }
  }
  for (auto& [v, m] : by_version) migrations_.push_back(std::move(m));
}

int Migrator::LatestVersion() const {
  return migrations_.empty() ? 0 : migrations_.back().version;
}

void Migrator::EnsureVersionTable() {
  conn_.Exec(
      "CREATE TABLE IF NOT EXISTS ${usage}.usaged_schema_version ("
      "version int NOT NULL PRIMARY KEY, name varchar(255) NOT NULL, "
      "applied_at datetime NOT NULL)");
}

int Migrator::CurrentVersion() {
  EnsureVersionTable();
  return static_cast<int>(
      conn_.QueryInt("SELECT max(version) FROM ${usage}.usaged_schema_version").value_or(0));
}

int Migrator::Up(Instant now) { return Apply(now, /*usage_only=*/false); }

int Migrator::UpUsageOnly(Instant now) { return Apply(now, /*usage_only=*/true); }

int Migrator::Apply(Instant now, bool usage_only) {
  int current = CurrentVersion();
  int applied = 0;
  for (const auto& m : migrations_) {
    if (m.version <= current) continue;
    spdlog::info("applying schema migration {} ({})", m.version, m.name);
    // SQLite runs DDL transactionally; MariaDB commits each DDL statement, so
    // its migrations are written to be re-runnable (IF NOT EXISTS).
    Transaction tx(conn_);
    for (const auto& statement : SplitSqlStatements(m.up_sql)) {
      if (usage_only && statement.find("${cloud}") != std::string::npos) continue;
      conn_.Exec(statement);
    }
    conn_.Run("INSERT INTO ${usage}.usaged_schema_version (version, name, applied_at) "
              "VALUES (?, ?, ?)",
              m.version, m.name, now);
    tx.Commit();
    ++applied;
  }
  return applied;
}

int Migrator::BaseVersion() const {
  int base = 0;
  for (const auto& m : migrations_) {
    if (m.down_sql) break;
    base = m.version;
  }
  return base;
}

int Migrator::Down(int target) {
  if (target < BaseVersion()) target = BaseVersion();
  int current = CurrentVersion();
  int rolled = 0;
  for (auto it = migrations_.rbegin(); it != migrations_.rend(); ++it) {
    if (it->version > current || it->version <= target) continue;
    if (!it->down_sql) {
      throw InputError(fmt::format("schema migration {} ({}) cannot be rolled back", it->version,
                                   it->name));
    }
    spdlog::info("rolling back schema migration {} ({})", it->version, it->name);
    Transaction tx(conn_);
    for (const auto& statement : SplitSqlStatements(*it->down_sql)) conn_.Exec(statement);
    conn_.Run("DELETE FROM ${usage}.usaged_schema_version WHERE version = ?", it->version);
    tx.Commit();
    ++rolled;
  }
  if (target == BaseVersion()) conn_.Exec("DROP TABLE IF EXISTS ${usage}.usaged_schema_version");
  return rolled;
}

void Migrator::RequireCurrent() {
  int current = CurrentVersion();
  if (current < LatestVersion()) {
    throw DbError(fmt::format("the database schema is at version {}, this usaged needs {}: run "
                              "`usaged init` to apply the migrations",
                              current, LatestVersion()),
                  0, false);
  }
  if (current > LatestVersion()) {
    throw DbError(fmt::format("the database schema is at version {}, newer than this usaged "
                              "knows ({}): upgrade usaged",
                              current, LatestVersion()),
                  0, false);
  }
}

}  // namespace usaged::store
