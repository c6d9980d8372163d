// usaged as a systemd service: readiness, stop and watchdog notifications
// (Type=notify) through a real notification socket, the configuration file,
// and the database a service finds on a CloudStack host.
#include <gtest/gtest.h>
#include <signal.h>

#include <filesystem>
#include <fstream>

#include "support/cloudstack_etc.h"
#include "support/notify_socket.h"
#include "support/test_env.h"

namespace usaged::testing {
namespace {

bool Contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

// Position of the first message holding `line` (-1 if none).
int IndexOf(NotifySocket& socket, const std::string& line) {
  const auto& messages = socket.Messages();
  for (size_t i = 0; i < messages.size(); ++i) {
    if (Contains("\n" + messages[i] + "\n", "\n" + line + "\n")) return static_cast<int>(i);
  }
  return -1;
}

std::string InitSqlite(const TempDir& dir) {
  std::string url = "sqlite:" + dir.path() + "/store";
  CliResult init = RunCli({"--db", url, "init"});
  EXPECT_EQ(init.exit_code, 0) << init.err;
  return url;
}

// A service started by systemd with WatchdogSec= (600 ms here) is told
// READY=1 once it serves, keep-alives while it runs and STOPPING=1 on SIGTERM.
void ExpectNotifiedLifecycle(const std::vector<std::string>& args) {
  NotifySocket socket;
  CliProcess process(args, {{"NOTIFY_SOCKET", socket.path()}, {"WATCHDOG_USEC", "600000"}});
  ASSERT_TRUE(socket.WaitForLine("READY=1")) << process.Wait().err;
  ASSERT_TRUE(WaitFor([&] { return socket.Count("WATCHDOG=1") >= 3; }, std::chrono::seconds(20)));
  EXPECT_EQ(socket.Count("STOPPING=1"), 0);
  process.Signal(SIGTERM);
  CliResult result = process.Wait();
  EXPECT_EQ(result.exit_code, 0) << result.err;
  EXPECT_EQ(socket.Count("READY=1"), 1);
  ASSERT_EQ(socket.Count("STOPPING=1"), 1);
  EXPECT_LT(IndexOf(socket, "READY=1"), IndexOf(socket, "STOPPING=1"));
}

TEST(ServiceTest, ServeTellsSystemdReadyWatchdogAndStopping) {
  TempDir dir;
  std::string url = InitSqlite(dir);
  ExpectNotifiedLifecycle({"--db", url, "serve", "--listen", "127.0.0.1:0", "--key-file",
                           dir.path() + "/api.key"});
}

TEST(ServiceTest, ScheduledRunTellsSystemdReadyWatchdogAndStopping) {
  TempDir dir;
  std::string url = InitSqlite(dir);
  ExpectNotifiedLifecycle({"--db", url, "run", "--now", "2026-03-02 00:14:59"});
}

// Without WATCHDOG_USEC no keep-alive is sent (systemd did not ask for one).
TEST(ServiceTest, NoKeepAlivesUnlessTheUnitAsksForThem) {
  TempDir dir;
  std::string url = InitSqlite(dir);
  NotifySocket socket;
  CliProcess process({"--db", url, "serve", "--listen", "127.0.0.1:0", "--key-file",
                      dir.path() + "/api.key"},
                     {{"NOTIFY_SOCKET", socket.path()}});
  ASSERT_TRUE(socket.WaitForLine("READY=1")) << process.Wait().err;
  process.Signal(SIGTERM);
  EXPECT_EQ(process.Wait().exit_code, 0);
  EXPECT_EQ(socket.Count("WATCHDOG=1"), 0);
  EXPECT_EQ(socket.Count("STOPPING=1"), 1);
}

TEST(ServiceTest, ConfigFileGivesGlobalAndCommandOptions) {
  TempDir dir;
  std::string url = InitSqlite(dir);
  std::string conf = dir.path() + "/usaged.conf";
  std::ofstream(conf) << "# options of the service\ndb = " << url << "\nlog-level = warn\n\n"
                      << "[records]\nformat = json\n";
  CliResult records = RunCli({"--config", conf, "records"});
  ASSERT_EQ(records.exit_code, 0) << records.err;
  EXPECT_EQ(records.out.substr(0, 1), "[") << records.out;  // JSON, from [records]

  // The command line wins over the file.
  CliResult table = RunCli({"--config", conf, "records", "--format", "csv"});
  ASSERT_EQ(table.exit_code, 0) << table.err;
  EXPECT_NE(table.out.substr(0, 1), "[");
  CliResult elsewhere = RunCli({"--config", conf, "--db", "sqlite:" + dir.path() + "/none", "jobs"});
  EXPECT_NE(elsewhere.exit_code, 0);  // no store there: the file's db was not used
}

TEST(ServiceTest, ConfigFileErrorsAreClear) {
  TempDir dir;
  CliResult missing = RunCli({"--config", dir.path() + "/nope.conf", "jobs"});
  EXPECT_EQ(missing.exit_code, 2);
  EXPECT_TRUE(Contains(missing.err, "nope.conf")) << missing.err;

  std::string conf = dir.path() + "/usaged.conf";
  std::ofstream(conf) << "no-such-option = 1\n";
  CliResult unknown = RunCli({"--config", conf, "jobs"});
  EXPECT_EQ(unknown.exit_code, 2);
  EXPECT_TRUE(Contains(unknown.err, "no-such-option")) << unknown.err;
}

// On a CloudStack host (here: /etc seen through an overlay in a private mount
// namespace) usaged with no database named uses CloudStack's usage
// db.properties; `demo` never does.
class DropInTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (TestEngines().size() < 2) GTEST_SKIP() << "USAGED_TEST_MARIADB_URL is not set";
    if (!CloudStackEtc::Available()) {
      GTEST_SKIP() << "no private mount namespace here (unshare -m)";
    }
  }

  // Runs `script` (sh) with /etc/cloudstack/usage/db.properties naming `url`.
  CliResult OnCloudStackHost(const std::string& url, const std::string& script) {
    CloudStackEtc etc(dir_.path(), url);
    return RunProgram(Program{"/usr/bin/unshare"},
                      {"-m", "sh", "-ec", etc.MountLine() + "cd " + dir_.path() + "\n" + script});
  }

  TempDir dir_;
};

TEST_F(DropInTest, NoDatabaseNamedUsesCloudStacksDbProperties) {
  FreshDatabase db("mariadb");
  std::string usaged = USAGED_BINARY;
  CliResult result = OnCloudStackHost(
      db.url(), usaged + " init\n" + usaged + " config get usage.stats.job.aggregation.range\n");
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_TRUE(Contains(result.out, "1440\n")) << result.out;
  EXPECT_TRUE(Contains(result.err, "/etc/cloudstack/usage/db.properties")) << result.err;
  // The MariaDB databases were created and migrated: usaged used them.
  EXPECT_EQ(RunCli({"--db", db.url(), "jobs"}).exit_code, 0);
  EXPECT_FALSE(std::filesystem::exists(dir_.path() + "/usaged-data"));
}

TEST_F(DropInTest, DemoNeverWritesIntoCloudStacksDatabase) {
  FreshDatabase db("mariadb");
  std::string usaged = USAGED_BINARY;
  CliResult result = OnCloudStackHost(db.url(), usaged + " demo --days 1\n");
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_TRUE(std::filesystem::exists(dir_.path() + "/usaged-data"));
  // Nothing was created on the MariaDB server.
  EXPECT_NE(RunCli({"--db", db.url(), "jobs"}).exit_code, 0);
}

}  // namespace
}  // namespace usaged::testing
