#include "support/test_env.h"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "core/clock.h"
#include "store/configuration.h"
#include "store/migrator.h"

extern char** environ;

namespace usaged::testing {

TempDir::TempDir() {
  const char* base = std::getenv("TMPDIR");
  std::string pattern = std::string(base && *base ? base : "/tmp") + "/usaged-test-XXXXXX";
  std::vector<char> buf(pattern.begin(), pattern.end());
  buf.push_back('\0');
  if (!mkdtemp(buf.data())) throw std::runtime_error("mkdtemp failed");
  path_ = buf.data();
}

TempDir::~TempDir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

void TestStore::SetConfig(const std::string& key, const std::string& value) {
  store::Configuration(*conn).Set(key, value, SystemClock().Now());
}

std::vector<std::string> TestEngines() {
  std::vector<std::string> engines = {"sqlite"};
  const char* url = std::getenv("USAGED_TEST_MARIADB_URL");
  if (url && *url) engines.push_back("mariadb");
  return engines;
}

namespace {

// Unique per process and call, so parallel tests never share databases.
std::string NextDatabaseSuffix() {
  static std::atomic<int> counter{0};
  return std::to_string(getpid()) + "_" + std::to_string(++counter);
}

}  // namespace

void DropTestDatabases(const std::string& url) {
  if (url.rfind("mariadb://", 0) != 0) return;
  try {
    auto params = store::ParseMariaDbUrl(url);
    auto admin = store::OpenMariaDbStore(params)->Connect(/*create=*/true);
    admin->Exec("DROP DATABASE IF EXISTS `" + params.cloud_db + "`");
    admin->Exec("DROP DATABASE IF EXISTS `" + params.usage_db + "`");
    // `usaged compare`'s default shadow beside the usage database.
    admin->Exec("DROP DATABASE IF EXISTS `" + params.usage_db + "_shadow`");
  } catch (const std::exception&) {
    // A test that stopped the server leaves its databases behind; the server
    // directory is removed with the test run.
  }
}

TestStore::~TestStore() {
  conn.reset();
  DropTestDatabases(url);
}

FreshDatabase::FreshDatabase(const std::string& engine) : engine_(engine) {
  url_ = engine == "mariadb" ? MariaDbTestUrl(NextDatabaseSuffix())
                             : "sqlite:" + dir_.path() + "/db";
}

FreshDatabase::~FreshDatabase() { DropTestDatabases(url_); }

namespace {

std::string DatabasesUrl(std::string server_url, const std::string& suffix) {
  server_url += server_url.find('?') == std::string::npos ? "/?" : "&";
  return server_url + "cloud=cloud_t" + suffix + "&usage=cloud_usage_t" + suffix;
}

std::unique_ptr<TestStore> MigratedStore(const std::string& engine, std::string url,
                                         std::unique_ptr<TempDir> dir) {
  auto t = std::make_unique<TestStore>();
  t->engine = engine;
  t->dir = std::move(dir);
  t->url = std::move(url);
  t->store = store::OpenStore(t->url);
  t->conn = t->store->Connect(/*create=*/true);
  store::Migrator(*t->conn).Up(SystemClock().Now());
  store::Configuration(*t->conn).InsertMissingDefaults();
  return t;
}

}  // namespace

std::string MariaDbTestUrl(const std::string& suffix) {
  const char* base = std::getenv("USAGED_TEST_MARIADB_URL");
  if (!base || !*base) throw std::runtime_error("USAGED_TEST_MARIADB_URL is not set");
  return DatabasesUrl(base, suffix);
}

std::string SameDatabasesOn(const std::string& db_url, const std::string& server_url) {
  // DatabasesUrl puts the two database parameters last.
  size_t databases = db_url.rfind("cloud=");
  if (databases == std::string::npos) throw std::runtime_error("no databases in " + db_url);
  std::string url = server_url + (server_url.find('?') == std::string::npos ? "/?" : "&");
  return url + db_url.substr(databases);
}

std::unique_ptr<TestStore> NewTestStore(const std::string& engine) {
  auto dir = std::make_unique<TempDir>();
  std::string url = engine == "mariadb" ? MariaDbTestUrl(NextDatabaseSuffix())
                                        : "sqlite:" + dir->path() + "/db";
  return MigratedStore(engine, std::move(url), std::move(dir));
}

std::unique_ptr<TestStore> NewMariaDbTestStoreOn(const std::string& server_url) {
  return MigratedStore("mariadb", DatabasesUrl(server_url, NextDatabaseSuffix()),
                       std::make_unique<TempDir>());
}

job::RunSummary RunAt(store::Connection& conn, const std::string& now) {
  ManualClock clock(ParseUtc(now));
  return job::RunDueWindows(conn, clock);
}

std::vector<UsageRecord> ReadRecords(store::Connection& conn, std::optional<int> usage_type) {
  auto& q = conn.Prepare(
                    "SELECT zone_id, account_id, domain_id, description, usage_display, "
                    "usage_type, raw_usage, vm_instance_id, vm_name, offering_id, template_id, "
                    "usage_id, type, size, network_id, start_date, end_date, virtual_size, "
                    "cpu_speed, cpu_cores, memory, quota_calculated, is_hidden, state, usage_key "
                    "FROM ${usage}.cloud_usage WHERE (? IS NULL OR usage_type = ?) "
                    "ORDER BY start_date, account_id, usage_type, usage_key")
                .Bind(usage_type, usage_type);
  std::vector<UsageRecord> out;
  while (q.Next()) {
    UsageRecord r;
    r.zone_id = q.Int(0);
    r.account_id = q.Int(1);
    r.domain_id = q.Int(2);
    r.description = q.Text(3);
    r.usage_display = q.Text(4);
    r.usage_type = static_cast<int>(q.Int(5));
    r.raw_usage = q.Double(6);
    r.vm_instance_id = q.OptInt(7);
    r.vm_name = q.OptText(8);
    r.offering_id = q.OptInt(9);
    r.template_id = q.OptInt(10);
    r.usage_id = q.OptInt(11);
    r.type = q.OptText(12);
    r.size = q.OptInt(13);
    r.network_id = q.OptInt(14);
    r.start_date = q.Time(15);
    r.end_date = q.Time(16);
    r.virtual_size = q.OptInt(17);
    r.cpu_speed = q.OptInt(18);
    r.cpu_cores = q.OptInt(19);
    r.memory = q.OptInt(20);
    r.quota_calculated = static_cast<int>(q.Int(21));
    r.is_hidden = q.Int(22) != 0;
    r.state = q.OptText(23);
    r.usage_key = q.Text(24);
    out.push_back(std::move(r));
  }
  q.Reset();
  return out;
}

std::vector<std::string> QueryColumn(store::Connection& conn, const std::string& sql) {
  auto& q = conn.Prepare(sql);
  std::vector<std::string> out;
  while (q.Next()) out.push_back(q.IsNull(0) ? "NULL" : q.Text(0));
  q.Reset();
  return out;
}

int64_t QueryCount(store::Connection& conn, const std::string& sql) {
  return conn.QueryInt(sql).value_or(0);
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

CliProcess::CliProcess(const std::vector<std::string>& args,
                       const std::map<std::string, std::string>& env)
    : CliProcess(Program{USAGED_BINARY}, args, env) {}

CliProcess::CliProcess(const Program& program, const std::vector<std::string>& args,
                       const std::map<std::string, std::string>& env) {
  std::string out_path = io_.path() + "/out", err_path = io_.path() + "/err";
  std::vector<std::string> argv_s = {program.path};
  argv_s.insert(argv_s.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& a : argv_s) argv.push_back(a.data());
  argv.push_back(nullptr);

  std::vector<std::string> env_s;
  for (char** e = environ; *e; ++e) env_s.emplace_back(*e);
  for (const auto& [k, v] : env) env_s.push_back(k + "=" + v);
  std::vector<char*> envp;
  for (auto& e : env_s) envp.push_back(e.data());
  envp.push_back(nullptr);

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 1, out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC,
                                   0644);
  posix_spawn_file_actions_addopen(&actions, 2, err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC,
                                   0644);
  int rc = posix_spawn(&pid_, argv[0], &actions, nullptr, argv.data(), envp.data());
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) throw std::runtime_error("posix_spawn failed");
}

CliProcess::~CliProcess() {
  if (!waited_) {
    kill(pid_, SIGKILL);
    Wait();
  }
}

void CliProcess::Signal(int signal) { kill(pid_, signal); }

CliResult CliProcess::Wait() {
  int status = 0;
  waitpid(pid_, &status, 0);
  waited_ = true;
  CliResult r;
  if (WIFEXITED(status)) r.exit_code = WEXITSTATUS(status);
  if (WIFSIGNALED(status)) r.signal = WTERMSIG(status);
  r.out = ReadFile(io_.path() + "/out");
  r.err = ReadFile(io_.path() + "/err");
  return r;
}

CliResult RunCli(const std::vector<std::string>& args,
                 const std::map<std::string, std::string>& env) {
  return CliProcess(args, env).Wait();
}

CliResult RunProgram(const Program& program, const std::vector<std::string>& args,
                     const std::map<std::string, std::string>& env) {
  return CliProcess(program, args, env).Wait();
}

bool WaitFor(const std::function<bool()>& condition, std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (condition()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return condition();
}

std::string SortedRecordsCsv(const std::string& db_url) {
  CliResult r = RunCli({"--db", db_url, "records", "--format", "csv"});
  if (r.exit_code != 0) throw std::runtime_error("records failed: " + r.err);
  std::vector<std::string> lines;
  std::istringstream in(r.out);
  std::string line;
  while (std::getline(in, line)) lines.push_back(line.substr(line.find(',') + 1));
  std::sort(lines.begin(), lines.end());
  std::string out;
  for (const auto& l : lines) out += l + "\n";
  return out;
}

}  // namespace usaged::testing
