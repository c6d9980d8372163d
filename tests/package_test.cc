// The Debian package (scripts/package.sh; scripts/test.sh names it in
// USAGED_TEST_DEB): unpacked into a scratch root, its installed binary runs
// the unit's own commands with the installed configuration against a
// CloudStack-shaped MariaDB database found through CloudStack's
// db.properties, and writes the usage_job rows the management server reads
// for listUsageServerMetrics.
#include <gtest/gtest.h>
#include <signal.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>

#include "job/job_log.h"
#include "support/cloudstack_db.h"
#include "support/cloudstack_etc.h"
#include "support/notify_socket.h"
#include "support/test_env.h"

namespace usaged::testing {
namespace {

namespace fs = std::filesystem;

bool Contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

// `Key=` lines of a unit file's [Service] section.
std::vector<std::string> UnitValues(const std::string& unit, const std::string& key) {
  std::vector<std::string> values;
  std::istringstream in(unit);
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind(key + "=", 0) == 0) values.push_back(line.substr(key.size() + 1));
  }
  return values;
}

class PackageTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const char* deb = std::getenv("USAGED_TEST_DEB");
    if (!deb || !*deb) GTEST_SKIP() << "USAGED_TEST_DEB is not set (scripts/test.sh sets it)";
    deb_ = deb;
    root_ = dir_.path() + "/root";
    CliResult unpack = RunProgram(Program{"/usr/bin/dpkg-deb"}, {"-x", deb_, root_});
    ASSERT_EQ(unpack.exit_code, 0) << unpack.err;
  }

  std::string deb_;
  TempDir dir_;
  std::string root_;
};

TEST_F(PackageTest, InstallsTheServiceItsConfigurationAndDocumentation) {
  for (const char* path :
       {"/usr/bin/usaged", "/etc/usaged/usaged.conf", "/etc/logrotate.d/usaged",
        "/lib/systemd/system/usaged.service", "/usr/share/man/man1/usaged.1.gz",
        "/usr/share/bash-completion/completions/usaged", "/usr/share/doc/usaged/copyright",
        "/usr/share/doc/usaged/changelog.gz", "/usr/share/doc/usaged/install.md"}) {
    EXPECT_TRUE(fs::exists(root_ + path)) << path;
  }
  // The man page holds every command's help.
  CliResult man = RunProgram(Program{"/bin/sh"},
                             {"-c", "zcat " + root_ + "/usr/share/man/man1/usaged.1.gz"});
  ASSERT_EQ(man.exit_code, 0);
  for (const char* command : {"usaged run", "usaged serve", "usaged compare", "usaged repair"}) {
    EXPECT_TRUE(Contains(man.out, command)) << command;
  }
  // Control data: CloudStack's usage server is replaced, the conffiles kept.
  CliResult control = RunProgram(Program{"/usr/bin/dpkg-deb"}, {"-f", deb_});
  ASSERT_EQ(control.exit_code, 0);
  EXPECT_TRUE(Contains(control.out, "Conflicts: cloudstack-usage")) << control.out;
  EXPECT_TRUE(Contains(control.out, "Provides: cloudstack-usage")) << control.out;
  CliResult conffiles = RunProgram(Program{"/usr/bin/dpkg-deb"}, {"-I", deb_, "conffiles"});
  EXPECT_TRUE(Contains(conffiles.out, "/etc/usaged/usaged.conf")) << conffiles.out;

  // The installed command names the package's version (and the commit).
  CliResult version = RunProgram(Program{root_ + "/usr/bin/usaged"}, {"--version"});
  ASSERT_EQ(version.exit_code, 0) << version.err;
  CliResult package_version = RunProgram(Program{"/usr/bin/dpkg-deb"}, {"-f", deb_, "Version"});
  ASSERT_FALSE(package_version.out.empty());
  EXPECT_EQ(version.out.rfind("usaged " + package_version.out.substr(
                                              0, package_version.out.size() - 1),
                              0),
            0u)
      << version.out;

  // Enabled, the unit answers to CloudStack's name for its usage server.
  CliResult enable = RunProgram(Program{"/usr/bin/systemctl"},
                                {"--root=" + root_, "enable", "usaged.service"});
  ASSERT_EQ(enable.exit_code, 0) << enable.err;
  CliResult alias = RunProgram(Program{"/usr/bin/systemctl"},
                               {"--root=" + root_, "is-enabled", "cloudstack-usage.service"});
  EXPECT_EQ(alias.out, "alias\n") << alias.err;
  EXPECT_EQ(fs::read_symlink(root_ + "/etc/systemd/system/cloudstack-usage.service").string(),
            "/lib/systemd/system/usaged.service");

  // Bash completion offers the installed binary's commands.
  CliResult complete = RunProgram(
      Program{"/bin/bash"},
      {"-c", ". " + root_ + "/usr/share/bash-completion/completions/usaged\nCOMP_WORDS=(" + root_ +
                 "/usr/bin/usaged com)\nCOMP_CWORD=1\n_usaged\necho \"${COMPREPLY[@]}\""});
  EXPECT_EQ(complete.out, "compare\n") << complete.err;
}

// The installed binary, with the installed usaged.conf and /etc/cloudstack
// holding CloudStack's db.properties (an overlay over /etc in a private mount
// namespace), runs the unit's ExecStartPre= and ExecStart= as systemd would
// (NOTIFY_SOCKET), bills, and leaves what listUsageServerMetrics reads.
TEST_F(PackageTest, InstalledServiceBillsACloudStackDatabaseAndReportsItsHeartbeat) {
  if (TestEngines().size() < 2) GTEST_SKIP() << "USAGED_TEST_MARIADB_URL is not set";
  if (!CloudStackEtc::Available()) {
    GTEST_SKIP() << "no private mount namespace here (unshare -m)";
  }
  FreshDatabase db("mariadb");
  {
    auto conn = CreateCloudStackSchema("mariadb", db.url());
    conn->Exec("INSERT INTO ${cloud}.domain (id, name, uuid, owner, path) VALUES "
               "(1, 'ROOT', 'r', 2, '/')");
    conn->Exec("INSERT INTO ${cloud}.account (id, account_name, uuid, type, domain_id) VALUES "
               "(5, 'a', 'u5', 0, 1)");
    conn->Exec("INSERT INTO ${cloud}.usage_event (id, type, account_id, created, zone_id, "
               "resource_id, resource_name, offering_id, template_id, resource_type) VALUES "
               "(1, 'VM.CREATE', 5, '2026-03-01 06:00:00', 1, 600, 'vm600', 10, 200, 'KVM')");
  }

  // /etc as a CloudStack host has it, with the package's /etc on top.
  CloudStackEtc etc(dir_.path(), db.url());
  fs::copy(root_ + "/etc/usaged", etc.upper() + "/usaged", fs::copy_options::recursive);

  const std::string unit = ReadFile(root_ + "/lib/systemd/system/usaged.service");
  auto pre = UnitValues(unit, "ExecStartPre"), start = UnitValues(unit, "ExecStart");
  ASSERT_EQ(pre.size(), 1u);
  ASSERT_EQ(start.size(), 1u);
  // The installed binary, and its log directory in the scratch root.
  auto installed = [&](std::string command) {
    command = std::regex_replace(command, std::regex("^/usr/bin/usaged"),
                                 root_ + "/usr/bin/usaged");
    return std::regex_replace(command, std::regex(" /var/log/usaged"),
                              " " + root_ + "/var/log/usaged");
  };
  std::string state = dir_.path() + "/state";
  fs::create_directories(state);
  std::string script = etc.MountLine() + "cd " + state + "\n" + installed(pre[0]) +
                       "\nexec " + installed(start[0]) + " --now '2026-03-02 00:14:58'\n";
  NotifySocket socket;
  CliProcess service(Program{"/usr/bin/unshare"}, {"-m", "sh", "-ec", script},
                     {{"NOTIFY_SOCKET", socket.path()}});
  ASSERT_TRUE(socket.WaitForLine("READY=1", std::chrono::seconds(60))) << service.Wait().err;

  auto conn = store::OpenStore(db.url())->Connect(false);
  // UsageJobDaoImpl.getLastJobSuccessDateMillis: the job of 03-01 is done.
  const std::string last_success =
      "SELECT end_millis FROM ${usage}.usage_job WHERE end_millis > 0 and success = 1 "
      "ORDER BY end_millis DESC LIMIT 1";
  ASSERT_TRUE(WaitFor([&] { return QueryColumn(*conn, last_success).size() == 1; }));
  service.Signal(SIGTERM);
  CliResult result = service.Wait();
  EXPECT_EQ(result.exit_code, 0) << result.err;
  EXPECT_EQ(socket.Count("STOPPING=1"), 1);

  // 2026-03-01 23:59:59.999 UTC.
  EXPECT_EQ(QueryColumn(*conn, last_success), std::vector<std::string>{"1772409599999"});
  // getLastHeartbeat: the newest heartbeat of any row, from the service's clock.
  auto heartbeat = QueryColumn(
      *conn, "SELECT heartbeat FROM ${usage}.usage_job ORDER BY heartbeat DESC LIMIT 1");
  ASSERT_EQ(heartbeat.size(), 1u);
  // (The service's clock started at 00:14:58 and ran for seconds.)
  EXPECT_GE(heartbeat[0], "2026-03-02 00:14:58");
  EXPECT_LT(heartbeat[0], "2026-03-02 00:20:00");
  // getNextImmediateJob (none), then getLastJob: the open row names this host.
  EXPECT_EQ(QueryCount(*conn, "SELECT count(*) FROM ${usage}.usage_job WHERE end_millis = 0 "
                              "AND job_type = 1 AND scheduled = 0"),
            0);
  EXPECT_EQ(QueryColumn(*conn, "SELECT host FROM ${usage}.usage_job WHERE end_millis = 0 "
                               "ORDER BY id DESC LIMIT 1"),
            std::vector<std::string>{job::HostName()});
  // The VM's 18 allocated hours of 03-01 were billed.
  EXPECT_EQ(QueryColumn(*conn, "SELECT raw_usage FROM ${usage}.cloud_usage WHERE usage_type = 2"),
            std::vector<std::string>{"18"});
  // The installed configuration's log directory holds the service's log.
  EXPECT_TRUE(Contains(ReadFile(root_ + "/var/log/usaged/usaged.log"),
                       "/etc/cloudstack/usage/db.properties"));
}

}  // namespace
}  // namespace usaged::testing
