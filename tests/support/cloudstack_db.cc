#include "support/cloudstack_db.h"

#include "store/mariadb/mariadb_params.h"
#include "store/schema_files.h"
#include "store/sql_text.h"
#include "store/store.h"
#include "support/test_env.h"

namespace usaged::testing {
namespace {

// Table names of one database.
std::vector<std::string> Tables(store::Connection& conn, const std::string& engine,
                                const std::string& db, const std::string& url) {
  if (engine == "sqlite") {
    return QueryColumn(conn, "SELECT name FROM " + db +
                                 ".sqlite_master WHERE type = 'table' ORDER BY name");
  }
  auto params = store::ParseMariaDbUrl(url);
  std::string name = db == "cloud" ? params.cloud_db : params.usage_db;
  return QueryColumn(conn, "SELECT table_name FROM information_schema.tables WHERE "
                           "table_schema = '" + name + "' ORDER BY table_name");
}

}  // namespace

std::string DumpDatabases(const std::string& engine, const std::string& url) {
  auto conn = store::OpenStore(url)->Connect(false);
  auto params = engine == "mariadb" ? store::ParseMariaDbUrl(url) : store::MariaDbParams{};
  std::string out;
  for (const std::string db : {"cloud", "cloud_usage"}) {
    const std::string real = engine == "sqlite" ? db
                             : db == "cloud"    ? params.cloud_db
                                                : params.usage_db;
    if (engine == "sqlite") {
      for (const auto& s : QueryColumn(*conn, "SELECT coalesce(sql, name) FROM " + db +
                                                  ".sqlite_master ORDER BY type, name")) {
        out += s + ";\n";
      }
    }
    for (const auto& table : Tables(*conn, engine, db, url)) {
      std::vector<std::string> columns;
      if (engine == "sqlite") {
        columns = QueryColumn(*conn, "SELECT name FROM pragma_table_info('" + table + "', '" +
                                         db + "') ORDER BY cid");
      } else {
        auto& q = conn->Prepare("SHOW CREATE TABLE `" + real + "`.`" + table + "`");
        if (q.Next()) out += q.Text(1) + ";\n";
        q.Reset();
        columns = QueryColumn(*conn, "SELECT column_name FROM information_schema.columns WHERE "
                                     "table_schema = '" + real + "' AND table_name = '" + table +
                                     "' ORDER BY ordinal_position");
      }
      const std::string q = engine == "sqlite" ? "\"" : "`";
      for (auto& c : columns) c = q + c + q;
      std::string order;
      for (const auto& c : columns) order += (order.empty() ? "" : ", ") + c;
      for (const auto& c : columns) {
        out += table + "." + c + ":";
        for (const auto& v : QueryColumn(*conn, "SELECT " + c + " FROM ${" +
                                                    std::string(db == "cloud" ? "cloud" : "usage") +
                                                    "}." + table + " ORDER BY " + order)) {
          out += v + "|";
        }
        out += "\n";
      }
    }
  }
  return out;
}

std::unique_ptr<store::Connection> CreateCloudStackSchema(const std::string& engine,
                                                          const std::string& url) {
  auto conn = store::OpenStore(url)->Connect(/*create=*/true);
  for (const auto& f : store::EmbeddedSchemaFiles()) {
    if (f.path != engine + "/0001_cloudstack_cloud.up.sql" &&
        f.path != engine + "/0002_cloudstack_usage.up.sql") {
      continue;
    }
    for (const auto& statement : store::SplitSqlStatements(f.text)) conn->Exec(statement);
  }
  return conn;
}

}  // namespace usaged::testing
