// Parallel units (usage.threads) and several usaged nodes on one MariaDB:
// claims, leases, fencing, and kills that never lose or double a unit.
#include <gtest/gtest.h>
#include <signal.h>

#include <filesystem>
#include <random>
#include <set>
#include <thread>

#include "sim/random_cloud.h"
#include "support/test_env.h"

namespace usaged::testing {
namespace {

constexpr const char* kStart = "2026-02-01 00:00:00";

std::unique_ptr<TestStore> CloudStore(const std::string& engine, int days) {
  auto db = NewTestStore(engine);
  sim::RandomCloudSpec spec;
  spec.seed = 11;
  spec.accounts = 10;
  spec.vms_per_account = 3;
  spec.days = days;
  spec.start = ParseUtc(kStart);
  sim::WriteRandomCloud(*db->conn, spec);
  db->SetConfig("usage.account.shards", "6");
  return db;
}

// "--now" of the daily run on day `day` after the start.
std::string DayNow(int day) {
  return FormatUtc(ParseUtc(kStart) + std::chrono::hours(24 * day) + std::chrono::minutes(10));
}

std::vector<std::string> RunArgs(const std::string& url, const std::string& now) {
  return {"--db", url, "run", "--once", "--now", now};
}

bool Contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

class ThreadsTest : public ::testing::TestWithParam<std::string> {};

TEST_P(ThreadsTest, ParallelUnitsBillExactlyWhatOneThreadBills) {
  auto serial = CloudStore(GetParam(), 8);
  auto parallel = CloudStore(GetParam(), 8);
  serial->SetConfig("usage.threads", "1");
  parallel->SetConfig("usage.threads", "4");
  CliResult one = RunCli(RunArgs(serial->url, DayNow(8)));
  ASSERT_EQ(one.exit_code, 0) << one.err;
  CliResult four = RunCli(RunArgs(parallel->url, DayNow(8)));
  ASSERT_EQ(four.exit_code, 0) << four.err;
  if (GetParam() == "sqlite") EXPECT_TRUE(Contains(four.err, "on 4 thread(s)")) << four.err;
  std::string expected = SortedRecordsCsv(serial->url);
  EXPECT_GT(std::count(expected.begin(), expected.end(), '\n'), 200);
  EXPECT_EQ(SortedRecordsCsv(parallel->url), expected);
  EXPECT_EQ(QueryCount(*parallel->conn,
                       "SELECT count(*) FROM ${usage}.usaged_unit WHERE state <> 'done'"), 0);
}

TEST_P(ThreadsTest, ABadThreadCountIsReportedAndTheDefaultUsed) {
  auto db = CloudStore(GetParam(), 2);
  db->conn->Run("UPDATE ${cloud}.configuration SET value = 'lots' WHERE name = 'usage.threads'");
  CliResult run = RunCli(RunArgs(db->url, DayNow(2)));
  EXPECT_EQ(run.exit_code, 0) << run.err;
  EXPECT_TRUE(Contains(run.err, "invalid value 'lots' for usage.threads")) << run.err;
  CliResult set = RunCli({"--db", db->url, "config", "set", "usage.threads", "0"});
  EXPECT_EQ(set.exit_code, 2);
  EXPECT_TRUE(Contains(set.err, "usage.threads")) << set.err;
}

INSTANTIATE_TEST_SUITE_P(Engines, ThreadsTest, ::testing::ValuesIn(TestEngines()));

class NodesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto engines = TestEngines();
    if (std::find(engines.begin(), engines.end(), "mariadb") == engines.end()) {
      GTEST_SKIP() << "several nodes need MariaDB (USAGED_TEST_MARIADB_URL)";
    }
  }
};

// Three nodes run each daily job of 30 simulated days together; one of them
// is SIGKILLed at a random moment 20 times and started again.
TEST_F(NodesTest, ThreeNodesKilledAtRandomBillLikeOne) {
  constexpr int kDays = 30;
  auto reference = CloudStore("mariadb", kDays);
  auto shared = CloudStore("mariadb", kDays);
  shared->SetConfig("usage.cluster.lease.seconds", "2");
  for (int day = 1; day <= kDays; ++day) {
    CliResult r = RunCli(RunArgs(reference->url, DayNow(day)));
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }
  std::mt19937 rng(20261125);
  constexpr int kKills = 20;
  int kills = 0;
  for (int day = 1; day <= kDays; ++day) {
    std::vector<std::unique_ptr<CliProcess>> nodes;
    for (int n = 0; n < 3; ++n) {
      nodes.push_back(std::make_unique<CliProcess>(RunArgs(shared->url, DayNow(day))));
    }
    // Spread the kills over the days; a victim that already finished does
    // not count, so a day may try again.
    const int days_left = kDays - day + 1;
    const int due = (kKills - kills + days_left - 1) / days_left;
    for (int landed = 0, tries = 0; landed < due && tries < 6; ++tries) {
      int victim = std::uniform_int_distribution<int>(0, 2)(rng);
      std::this_thread::sleep_for(
          std::chrono::milliseconds(std::uniform_int_distribution<int>(5, 150)(rng)));
      nodes[victim]->Signal(SIGKILL);
      CliResult killed = nodes[victim]->Wait();
      if (killed.signal == SIGKILL) ++landed, ++kills;
      nodes[victim] = std::make_unique<CliProcess>(RunArgs(shared->url, DayNow(day)));
    }
    for (auto& node : nodes) {
      CliResult r = node->Wait();
      ASSERT_EQ(r.exit_code, 0) << "day " << day << ": " << r.err;
    }
  }
  EXPECT_EQ(kills, kKills);
  EXPECT_EQ(SortedRecordsCsv(shared->url), SortedRecordsCsv(reference->url));
  auto& conn = *shared->conn;
  EXPECT_EQ(QueryCount(conn, "SELECT count(*) - count(DISTINCT usage_key) FROM "
                             "${usage}.cloud_usage"), 0);
  EXPECT_EQ(QueryCount(conn, "SELECT count(*) FROM ${usage}.usaged_unit WHERE state <> 'done'"),
            0);
  EXPECT_EQ(QueryCount(conn, "SELECT count(*) FROM ${usage}.usaged_window"), kDays);
  EXPECT_EQ(QueryCount(conn, "SELECT count(*) FROM ${usage}.usaged_unit"), kDays * 6);
  // One logical job per range: no two usage_job rows overlap.
  EXPECT_EQ(QueryCount(conn, "SELECT count(*) FROM ${usage}.usage_job a JOIN "
                             "${usage}.usage_job b ON a.id < b.id AND a.start_millis <= "
                             "b.end_millis AND b.start_millis <= a.end_millis"), 0);
  EXPECT_GT(QueryCount(conn, "SELECT count(DISTINCT node_id) FROM ${usage}.usaged_unit"), 3);
  CliResult jobs = RunCli({"--db", shared->url, "jobs", "--format", "csv"});
  EXPECT_TRUE(Contains(jobs.out, "node ")) << jobs.out;
  CliResult nodes = RunCli({"--db", shared->url, "nodes", "--format", "csv"});
  EXPECT_EQ(nodes.exit_code, 0) << nodes.err;
  EXPECT_TRUE(Contains(nodes.out, ",stopped,")) << nodes.out;
}

// A node paused past its claim cannot commit the unit it parsed: another node
// takes the unit over, and the resumed node's fenced commit is refused.
TEST_F(NodesTest, ANodePausedPastItsLeaseCannotCommitItsStaleUnit) {
  auto reference = CloudStore("mariadb", 3);
  auto shared = CloudStore("mariadb", 3);
  ASSERT_EQ(RunCli(RunArgs(reference->url, DayNow(3))).exit_code, 0);
  shared->SetConfig("usage.cluster.lease.seconds", "1");
  shared->SetConfig("usage.threads", "1");
  TempDir io;
  std::string marker = io.path() + "/parsed";
  CliProcess paused(RunArgs(shared->url, DayNow(3)),
                    {{"USAGED_FAULTS", "stall_parsed_unit=1"}, {"USAGED_FAULT_MARKER", marker}});
  ASSERT_TRUE(WaitFor([&] { return std::filesystem::exists(marker); }));
  paused.Signal(SIGSTOP);
  // The other node waits for the claim to expire, takes the unit over and
  // finishes every unit.
  CliResult other = RunCli(RunArgs(shared->url, DayNow(3)));
  ASSERT_EQ(other.exit_code, 0) << other.err;
  EXPECT_TRUE(Contains(other.err, "taking over unit")) << other.err;
  paused.Signal(SIGCONT);
  CliResult resumed = paused.Wait();
  EXPECT_EQ(resumed.exit_code, 0) << resumed.err;
  EXPECT_TRUE(Contains(resumed.err, "not committed")) << resumed.err;
  EXPECT_EQ(SortedRecordsCsv(shared->url), SortedRecordsCsv(reference->url));
  EXPECT_EQ(QueryCount(*shared->conn,
                       "SELECT count(*) FROM ${usage}.usaged_unit WHERE state <> 'done'"), 0);
}

}  // namespace
}  // namespace usaged::testing
