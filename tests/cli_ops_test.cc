// What an operator meets first: --version, a mistyped command, a --now in the
// future, blank reasons and settings, options of `serve` that cannot work,
// `migrate --down` without --yes, and `run` starting far behind the clock.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <regex>

#include "support/scenario.h"

namespace usaged::testing {
namespace {

bool Contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

// A future no test machine's clock reaches.
constexpr const char* kFuture = "2099-01-01 00:10:00";

TEST(CliOpsTest, VersionIsTheProjectVersion) {
  std::smatch m;
  const std::string cmake = ReadFile(std::string(USAGED_SOURCE_DIR) + "/CMakeLists.txt");
  ASSERT_TRUE(std::regex_search(cmake, m, std::regex(R"(project\(usaged VERSION ([0-9.]+))")));
  CliResult r = RunCli({"--version"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  // And the commit built, when built from a git checkout.
  const bool from_git = std::filesystem::exists(std::string(USAGED_SOURCE_DIR) + "/.git");
  const std::string version = std::regex_replace(m[1].str(), std::regex("\\."), "\\.");
  EXPECT_TRUE(std::regex_match(r.out, std::regex("usaged " + version +
                                                 (from_git ? " \\(commit [0-9a-f]{12}\\)" : "") +
                                                 "\n")))
      << r.out;
}

TEST(CliOpsTest, AnUnknownCommandIsNamed) {
  TempDir dir;
  const std::string db = "sqlite:" + dir.path() + "/db";
  for (const auto& args : std::vector<std::vector<std::string>>{
           {"frobnicate"}, {"--db", db, "--log-level", "warn", "frobnicate"}}) {
    CliResult r = RunCli(args);
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_TRUE(Contains(r.err, "unknown command 'frobnicate'")) << r.err;
    EXPECT_TRUE(Contains(r.err, "`usaged --help`")) << r.err;
    EXPECT_FALSE(Contains(r.err, "A subcommand is required")) << r.err;
  }
  CliResult nested = RunCli({"config", "frobnicate"});
  EXPECT_EQ(nested.exit_code, 2);
  EXPECT_TRUE(Contains(nested.err, "unknown command 'config frobnicate'")) << nested.err;
  EXPECT_TRUE(Contains(nested.err, "`usaged config --help`")) << nested.err;
}

// Whether the process has ended, without reaping it (CliProcess::Wait does).
bool Exited(pid_t pid) {
  siginfo_t info{};
  return waitid(P_PID, static_cast<id_t>(pid), &info, WEXITED | WNOHANG | WNOWAIT) == 0 &&
         info.si_pid == pid;
}

class CliOpsEngineTest : public ::testing::TestWithParam<std::string> {};

TEST_P(CliOpsEngineTest, ANowInTheFutureIsRefusedUnlessAllowed) {
  Scenario s(GetParam());
  s.Vm("VM.CREATE", "2026-01-10 08:00:00", 7);
  s.Vm("VM.START", "2026-01-10 08:00:00", 7);
  const std::string url = s.db().url;
  TempDir keys;
  const std::vector<std::vector<std::string>> commands = {
      {"run", "--once"},
      {"jobs"},
      {"generate", "--start", "2026-01-10", "--end", "2026-01-11"},
      {"regenerate", "--start", "2026-01-10", "--end", "2026-01-11", "--reason", "r"},
      {"cleanup", "--dry-run"},
      {"sanity"},
      {"compare", "--start", "2026-01-10", "--end", "2026-01-11"},
      {"alerts", "send"},
      {"repair", "--dry-run"},
      {"apikey", "--key-file", keys.path() + "/api.key", "create", "--account",
       std::to_string(s.account())},
  };
  for (auto args : commands) {
    args.insert(args.begin(), {"--db", url});
    args.insert(args.end(), {"--now", kFuture});
    CliResult r = RunCli(args);
    EXPECT_EQ(r.exit_code, 2) << args[2] << ": " << r.err;
    EXPECT_TRUE(Contains(r.err, "--now '2099-01-01 00:10:00' is later than the current time"))
        << args[2] << ": " << r.err;
    EXPECT_TRUE(Contains(r.err, "--allow-future")) << r.err;
  }
  // The scheduled job too; bounded, since a job running in 2099 would not stop.
  CliProcess scheduled({"--db", url, "run", "--now", kFuture});
  bool ended = WaitFor([&] { return Exited(scheduled.pid()); }, std::chrono::seconds(20));
  if (!ended) scheduled.Signal(SIGTERM);
  CliResult r = scheduled.Wait();
  EXPECT_TRUE(ended) << "run --now in the future was not refused";
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_TRUE(Contains(r.err, "is later than the current time")) << r.err;
  // Nothing was billed or written by the refused commands.
  EXPECT_EQ(QueryCount(s.conn(), "SELECT count(*) FROM ${usage}.cloud_usage"), 0);
  EXPECT_EQ(QueryCount(s.conn(), "SELECT count(*) FROM ${usage}.usaged_job"), 0);

  // --allow-future says it is meant; it needs a --now.
  CliResult allowed = RunCli({"--db", url, "jobs", "--now", kFuture, "--allow-future"});
  EXPECT_EQ(allowed.exit_code, 0) << allowed.err;
  CliResult alone = RunCli({"--db", url, "jobs", "--allow-future"});
  EXPECT_EQ(alone.exit_code, 2);
  EXPECT_TRUE(Contains(alone.err, "--allow-future requires --now")) << alone.err;
  // A past --now is taken as before.
  CliResult past = RunCli({"--db", url, "run", "--once", "--now", "2026-01-12 00:10:00"});
  EXPECT_EQ(past.exit_code, 0) << past.err;
  EXPECT_GT(QueryCount(s.conn(), "SELECT count(*) FROM ${usage}.cloud_usage"), 0);
}

TEST_P(CliOpsEngineTest, ABlankReasonIsNoReason) {
  Scenario s(GetParam());
  s.Vm("VM.CREATE", "2026-01-10 08:00:00", 7);
  s.Vm("VM.START", "2026-01-10 08:00:00", 7);
  ASSERT_EQ(RunCli({"--db", s.db().url, "run", "--once", "--now", "2026-01-12 00:10:00"}).exit_code,
            0);
  for (const std::string reason : {"   ", "\t"}) {
    CliResult r = RunCli({"--db", s.db().url, "regenerate", "--start", "2026-01-10", "--end",
                          "2026-01-11", "--reason", reason, "--now", "2026-01-12 01:00:00"});
    EXPECT_EQ(r.exit_code, 2) << r.err;
    EXPECT_TRUE(Contains(r.err, "regenerate needs a reason")) << r.err;
  }
  EXPECT_EQ(QueryCount(s.conn(), "SELECT count(*) FROM ${usage}.usaged_job WHERE kind = "
                                 "'REGENERATE'"),
            0);
}

TEST_P(CliOpsEngineTest, SettingsWithBlanksAroundThemAreRefused) {
  Scenario s(GetParam());
  s.Vm("VM.CREATE", "2026-01-10 08:00:00", 7);
  s.Vm("VM.START", "2026-01-10 08:00:00", 7);
  const std::string url = s.db().url;
  const std::vector<std::pair<std::string, std::string>> blanks = {
      {"usage.stats.job.aggregation.range", " 60"},
      {"usage.execution.timezone", "UTC "},
      {"usage.threads", "2\t"}};
  for (const auto& [key, value] : blanks) {
    CliResult r = RunCli({"--db", url, "config", "set", key, value});
    EXPECT_EQ(r.exit_code, 2) << key << ": " << r.err;
    EXPECT_TRUE(Contains(r.err, "for " + key + ": it has leading or trailing blanks")) << r.err;
  }
  EXPECT_EQ(RunCli({"--db", url, "config", "get", "usage.stats.job.aggregation.range"}).out,
            "1440\n");
  // A list CloudStack trims item by item keeps working.
  EXPECT_EQ(RunCli({"--db", url, "config", "set", "alert.email.addresses", " ops@example.com"})
                .exit_code,
            0);

  // Written by other means (CloudStack's UI, SQL): the job refuses to bill with it.
  s.db().SetConfig("usage.stats.job.aggregation.range", "1440");
  ASSERT_EQ(s.conn().Run("UPDATE ${cloud}.configuration SET value = '1440 ' WHERE name = "
                         "'usage.stats.job.aggregation.range'"),
            1);
  CliResult run = RunCli({"--db", url, "run", "--once", "--now", "2026-01-12 00:10:00"});
  EXPECT_EQ(run.exit_code, 2) << run.err;
  EXPECT_TRUE(Contains(run.err, "usage.stats.job.aggregation.range: it has leading or trailing"))
      << run.err;
  EXPECT_EQ(QueryCount(s.conn(), "SELECT count(*) FROM ${usage}.cloud_usage"), 0);
}

TEST_P(CliOpsEngineTest, MigrateDownNeedsYes) {
  FreshDatabase db(GetParam());
  ASSERT_EQ(RunCli({"--db", db.url(), "init"}).exit_code, 0);
  CliResult refused = RunCli({"--db", db.url(), "migrate", "--down"});
  EXPECT_EQ(refused.exit_code, 2);
  EXPECT_TRUE(Contains(refused.err, "migrate --down would roll back")) << refused.err;
  EXPECT_TRUE(Contains(refused.err, "usaged_core")) << refused.err;
  EXPECT_TRUE(Contains(refused.err, "dropped with their rows")) << refused.err;
  EXPECT_TRUE(Contains(refused.err, "Give --yes")) << refused.err;
  // Nothing was undone.
  EXPECT_EQ(RunCli({"--db", db.url(), "jobs"}).exit_code, 0);
  CliResult partial = RunCli({"--db", db.url(), "migrate", "--down", "--to", "14"});
  EXPECT_EQ(partial.exit_code, 2);
  EXPECT_TRUE(Contains(partial.err, " to 14: ")) << partial.err;
  EXPECT_FALSE(Contains(partial.err, "usaged_core")) << partial.err;
  EXPECT_FALSE(Contains(partial.err, "dropped with their rows")) << partial.err;
  CliResult yes_alone = RunCli({"--db", db.url(), "migrate", "--yes"});
  EXPECT_EQ(yes_alone.exit_code, 2);
  EXPECT_TRUE(Contains(yes_alone.err, "--yes requires --down")) << yes_alone.err;

  CliResult done = RunCli({"--db", db.url(), "migrate", "--down", "--yes"});
  EXPECT_EQ(done.exit_code, 0) << done.err;
  EXPECT_TRUE(Contains(done.out, "usaged's objects removed")) << done.out;
  EXPECT_EQ(RunCli({"--db", db.url(), "jobs"}).exit_code, 3);
}

// Polls until the scheduled process `run` holds CloudStack's open recurring
// usage_job row: it has started its scheduler.
bool SchedulerStarted(store::Connection& conn, const CliProcess& run) {
  return QueryColumn(conn, "SELECT pid FROM ${usage}.usage_job WHERE job_type = 0 AND "
                           "end_millis = 0") == std::vector<std::string>{std::to_string(run.pid())};
}

TEST_P(CliOpsEngineTest, RunWarnsWhenBillingIsMoreThanAWindowBehind) {
  Scenario behind(GetParam());
  behind.Vm("VM.CREATE", "2026-01-10 08:00:00", 7);
  behind.Vm("VM.START", "2026-01-10 08:00:00", 7);
  ASSERT_EQ(RunCli({"--db", behind.db().url, "run", "--once", "--now", "2026-01-12 00:10:00"})
                .exit_code,
            0);
  // Billed up to 01-12; at noon of 01-15 the days 01-12, 01-13 and 01-14 are due.
  CliProcess run({"--db", behind.db().url, "run", "--serve", "--listen", "127.0.0.1:0", "--now",
                  "2026-01-15 12:00:00"});
  ASSERT_TRUE(WaitFor([&] { return SchedulerStarted(behind.conn(), run); }));
  run.Signal(SIGTERM);
  CliResult r = run.Wait();
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(Contains(r.err, "billing is 3 aggregation windows (1440 min) behind: billed up to "
                              "2026-01-12 00:00:00"))
      << r.err;
  EXPECT_TRUE(Contains(r.err, "scheduled run at 2026-01-16 00:15:00 bills them all")) << r.err;
  EXPECT_TRUE(Contains(r.err, "`usaged run --once`")) << r.err;

  // One due window (yesterday's, before today's run) is the normal state.
  Scenario current(GetParam());
  current.Vm("VM.CREATE", "2026-01-10 08:00:00", 7);
  current.Vm("VM.START", "2026-01-10 08:00:00", 7);
  ASSERT_EQ(RunCli({"--db", current.db().url, "run", "--once", "--now", "2026-01-14 00:10:00"})
                .exit_code,
            0);
  CliProcess quiet({"--db", current.db().url, "run", "--now", "2026-01-15 12:00:00"});
  ASSERT_TRUE(WaitFor([&] { return SchedulerStarted(current.conn(), quiet); }));
  quiet.Signal(SIGTERM);
  CliResult q = quiet.Wait();
  EXPECT_EQ(q.exit_code, 0) << q.err;
  EXPECT_FALSE(Contains(q.err, "behind")) << q.err;
}

INSTANTIATE_TEST_SUITE_P(Engines, CliOpsEngineTest, ::testing::ValuesIn(TestEngines()));

// Validated while parsing, before the store is opened: these databases do not
// exist, so only the option can be the error.
TEST(CliOpsTest, ServeOptionsThatCannotWorkAreRefused) {
  TempDir dir;
  const std::string db = "sqlite:" + dir.path() + "/none";
  const std::vector<std::pair<std::vector<std::string>, std::string>> cases = {
      {{"serve", "--threads", "0"}, "--threads: Value 0 not in range 1 to 1024"},
      {{"serve", "--threads", "-5"}, "--threads: Value -5 not in range 1 to 1024"},
      {{"run", "--serve", "--threads", "0"}, "--threads: Value 0 not in range 1 to 1024"},
      {{"serve", "--max-lag", "-1"}, "--max-lag: -1 is not 0 or more seconds"},
      {{"serve", "--tls-cert", dir.path() + "/cert.pem"}, "--tls-cert requires --tls-key"},
      {{"serve", "--tls-key", dir.path() + "/key.pem"}, "--tls-key requires --tls-cert"},
  };
  for (auto [args, message] : cases) {
    args.insert(args.begin(), {"--db", db});
    CliResult r = RunCli(args);
    EXPECT_EQ(r.exit_code, 2) << args[2] << " " << args[3] << ": " << r.err;
    EXPECT_TRUE(Contains(r.err, message)) << r.err;
  }
}

// A loopback port nothing listens on.
int ClosedPort(int family) {
  int s = socket(family, SOCK_STREAM, 0);
  sockaddr_storage addr{};
  socklen_t len = family == AF_INET6 ? sizeof(sockaddr_in6) : sizeof(sockaddr_in);
  if (family == AF_INET6) {
    auto* a = reinterpret_cast<sockaddr_in6*>(&addr);
    a->sin6_family = AF_INET6;
    a->sin6_addr = in6addr_loopback;
  } else {
    auto* a = reinterpret_cast<sockaddr_in*>(&addr);
    a->sin_family = AF_INET;
    a->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  }
  int port = -1;
  if (s >= 0 && bind(s, reinterpret_cast<sockaddr*>(&addr), len) == 0 &&
      getsockname(s, reinterpret_cast<sockaddr*>(&addr), &len) == 0) {
    port = ntohs(family == AF_INET6 ? reinterpret_cast<sockaddr_in6*>(&addr)->sin6_port
                                    : reinterpret_cast<sockaddr_in*>(&addr)->sin_port);
  }
  if (s >= 0) close(s);
  return port;
}

// A server that accepts connections (the kernel completes the handshake for
// the listen backlog) but never says a word: only connect_timeout ends the wait.
TEST(CliOpsTest, AMariaDbThatNeverAnswersIsNamedWithTheTimeout) {
  int s = socket(AF_INET, SOCK_STREAM, 0);
  ASSERT_GE(s, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  ASSERT_EQ(bind(s, reinterpret_cast<sockaddr*>(&addr), len), 0);
  ASSERT_EQ(listen(s, 8), 0);
  ASSERT_EQ(getsockname(s, reinterpret_cast<sockaddr*>(&addr), &len), 0);
  const std::string where = "127.0.0.1:" + std::to_string(ntohs(addr.sin_port));

  auto started = std::chrono::steady_clock::now();
  CliResult r = RunCli({"--db", "mariadb://root@" + where + "/?connect_timeout=1", "jobs"});
  auto took = std::chrono::steady_clock::now() - started;
  close(s);
  EXPECT_EQ(r.exit_code, 3) << r.err;
  EXPECT_TRUE(Contains(r.err, "could not connect to mariadb://root@" + where +
                                  " (cloud, cloud_usage) within 1 s (connect_timeout"))
      << r.err;
  EXPECT_LT(took, std::chrono::seconds(15));

  // A port nobody listens on is refused at once: no timeout is named.
  const std::string closed = "127.0.0.1:" + std::to_string(ClosedPort(AF_INET));
  CliResult refused = RunCli({"--db", "mariadb://root@" + closed + "/?connect_timeout=5", "jobs"});
  EXPECT_EQ(refused.exit_code, 3) << refused.err;
  EXPECT_TRUE(Contains(refused.err, "cannot connect to mariadb://root@" + closed)) << refused.err;
  EXPECT_FALSE(Contains(refused.err, "connect_timeout")) << refused.err;
}

// The bracketed IPv6 host reaches the client library as ::1 (the test server
// listens on IPv4 only, so a closed IPv6 port shows it).
TEST(CliOpsTest, ABracketedIpv6HostIsConnectedTo) {
  int port = ClosedPort(AF_INET6);
  if (port < 0) GTEST_SKIP() << "no IPv6 loopback here";
  CliResult r = RunCli({"--db", "mariadb://root@[::1]:" + std::to_string(port), "jobs"});
  EXPECT_EQ(r.exit_code, 3) << r.err;
  EXPECT_TRUE(Contains(r.err, "cannot connect to mariadb://root@[::1]:" + std::to_string(port)))
      << r.err;
  EXPECT_TRUE(Contains(r.err, "'::1'")) << r.err;
}

}  // namespace
}  // namespace usaged::testing
