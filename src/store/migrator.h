#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/time.h"
#include "store/connection.h"

namespace usaged::store {

struct Migration {
  int version = 0;
  std::string name;
  std::string up_sql;
  std::optional<std::string> down_sql;  // nullopt: cannot be rolled back
};

// Applies the versioned schema migrations of the connection's engine and
// records them in cloud_usage.usaged_schema_version. Migration 1 creates the
// CloudStack tables that are missing (never touching existing ones); later
// migrations add usaged's own objects and can be rolled back.
class Migrator {
 public:
  explicit Migrator(Connection& conn);

  const std::vector<Migration>& migrations() const { return migrations_; }
  int LatestVersion() const;
  // 0 when nothing has been applied.
  int CurrentVersion();
  // Applies every pending migration; returns how many were applied.
  int Up(Instant now);
  // As Up, for a shadow store (Store::Shadow): statements that name the
  // `cloud` database are left out, so CloudStack's tables are neither created
  // nor written; everything in the usage database is created as usual.
  int UpUsageOnly(Instant now);
  // The newest migration that only creates CloudStack's own tables (no down
  // file): rolling back stops there, CloudStack's tables are never dropped.
  int BaseVersion() const;
  // Rolls back usaged's migrations above `target` (newest first); returns how
  // many. Back at BaseVersion() the version table itself is dropped too, so
  // the databases hold exactly CloudStack's schema again.
  int Down(int target);
  // Throws DbError with an actionable message unless the schema is current.
  void RequireCurrent();

 private:
  void EnsureVersionTable();
  int Apply(Instant now, bool usage_only);
  Connection& conn_;
  std::vector<Migration> migrations_;
};

}  // namespace usaged::store
