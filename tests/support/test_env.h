#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/usage_record.h"
#include "job/usage_run.h"
#include "sim/cloud_writer.h"
#include "store/connection.h"
#include "store/store.h"

namespace usaged::testing {

// A directory under $TMPDIR removed (with its contents) on destruction.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// A --db URL for databases that do not exist yet (for `usaged init` tests),
// removed on destruction.
class FreshDatabase {
 public:
  explicit FreshDatabase(const std::string& engine);
  ~FreshDatabase();
  const std::string& url() const { return url_; }

 private:
  std::string engine_;
  TempDir dir_;
  std::string url_;
};

// Drops the two MariaDB databases a test URL names (no-op for SQLite).
void DropTestDatabases(const std::string& url);

// A fresh, migrated, empty store of one engine, private to one test.
struct TestStore {
  ~TestStore();
  std::string engine;
  std::string url;  // for the usaged CLI (--db)
  std::unique_ptr<TempDir> dir;
  std::unique_ptr<store::Store> store;
  std::unique_ptr<store::Connection> conn;

  // Sets a cloud.configuration value.
  void SetConfig(const std::string& key, const std::string& value);
};

// Engines the suite runs on: "sqlite" always, and "mariadb" when
// USAGED_TEST_MARIADB_URL names a server (scripts/test.sh starts one). Each
// MariaDB test store gets its own pair of databases, dropped afterwards.
std::vector<std::string> TestEngines();
std::unique_ptr<TestStore> NewTestStore(const std::string& engine);
// A fresh, migrated store in a new pair of databases on the MariaDB server
// `server_url` names (mariadb://USER@HOST:PORT, e.g. one Galera node).
std::unique_ptr<TestStore> NewMariaDbTestStoreOn(const std::string& server_url);
// A --db URL for a fresh pair of databases on the test MariaDB server.
std::string MariaDbTestUrl(const std::string& suffix);
// The databases `db_url` names, reached through another server of the same
// cluster (`server_url`, mariadb://USER@HOST:PORT).
std::string SameDatabasesOn(const std::string& db_url, const std::string& server_url);

// One `run --once` in-process with the clock at `now` ("YYYY-MM-DD HH:MM:SS").
job::RunSummary RunAt(store::Connection& conn, const std::string& now);

// cloud_usage rows (every column), ordered by window, account, type, key.
std::vector<UsageRecord> ReadRecords(store::Connection& conn,
                                     std::optional<int> usage_type = std::nullopt);

// Rows of a query's first column as text (NULL as "NULL").
std::vector<std::string> QueryColumn(store::Connection& conn, const std::string& sql);
int64_t QueryCount(store::Connection& conn, const std::string& sql);

// The whole file as text ("" if it cannot be read).
std::string ReadFile(const std::string& path);

struct CliResult {
  int exit_code = -1;      // -1: killed by a signal
  int signal = 0;          // the signal, when killed
  std::string out;
  std::string err;
};

// Another program than the usaged under test (e.g. an installed copy).
struct Program {
  std::string path;
};

// The usaged binary running in the background.
class CliProcess {
 public:
  CliProcess(const std::vector<std::string>& args,
             const std::map<std::string, std::string>& env = {});
  CliProcess(const Program& program, const std::vector<std::string>& args,
             const std::map<std::string, std::string>& env = {});
  ~CliProcess();
  pid_t pid() const { return pid_; }
  void Signal(int signal);
  // Waits for the process to end and returns its status and output.
  CliResult Wait();

 private:
  TempDir io_;
  pid_t pid_ = 0;
  bool waited_ = false;
};

// Runs the usaged binary with `args` and extra environment variables.
CliResult RunCli(const std::vector<std::string>& args,
                 const std::map<std::string, std::string>& env = {});
CliResult RunProgram(const Program& program, const std::vector<std::string>& args,
                     const std::map<std::string, std::string>& env = {});

// Polls `condition` every 50 ms for up to `timeout`; true once it holds.
bool WaitFor(const std::function<bool()>& condition,
             std::chrono::milliseconds timeout = std::chrono::seconds(30));

// `usaged records --format csv` without the id column (ids depend on
// insertion order), lines sorted: equal for two runs that billed the same.
std::string SortedRecordsCsv(const std::string& db_url);

}  // namespace usaged::testing
