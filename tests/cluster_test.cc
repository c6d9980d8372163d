// Parallel units (usage.threads) and several usaged nodes on one MariaDB:
// claims, leases, fencing, and kills that never lose or double a unit.
#include <gtest/gtest.h>
#include <signal.h>

#include <filesystem>

#include "support/node_scenario.h"
#include "support/test_env.h"

namespace usaged::testing {
namespace {

std::unique_ptr<TestStore> CloudStore(const std::string& engine, int days) {
  auto db = NewTestStore(engine);
  WriteNodeScenarioCloud(*db, days);
  return db;
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
  if (GetParam() == "sqlite") {
    EXPECT_TRUE(Contains(four.err, "on 4 thread(s)")) << four.err;
  }
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
  ASSERT_NO_FATAL_FAILURE(RunDailyAlone(reference->url, kDays));
  int kills = RunDailyKillingNodes({shared->url, shared->url, shared->url}, kDays, 20, 20261125);
  ASSERT_FALSE(HasFailure());
  EXPECT_EQ(kills, 20);
  ExpectNodesBilledLikeReference(*shared, reference->url, kDays);
}

// A node paused past its claim cannot commit the unit it parsed: another node
// takes the unit over, and the resumed node's fenced commit is refused.
TEST_F(NodesTest, ANodePausedPastItsLeaseCannotCommitItsStaleUnit) {
  auto reference = CloudStore("mariadb", 3);
  auto shared = CloudStore("mariadb", 3);
  ASSERT_NO_FATAL_FAILURE(RunDailyAlone(reference->url, 3));
  ExpectPausedNodeCannotCommit(*shared, shared->url, shared->url, reference->url);
}

// On Galera an ingest may start through another DB node without seeing a
// claim made a moment before. Here an ingest that began (and finished) after
// a unit was claimed and parsed is written into the lease directly: the
// unit's commit is refused, its claim given up, and the unit parsed again.
TEST_F(NodesTest, AUnitParsedBeforeAnIngestBeganIsParsedAgain) {
  auto reference = CloudStore("mariadb", 2);
  auto shared = CloudStore("mariadb", 2);
  ASSERT_NO_FATAL_FAILURE(RunDailyAlone(reference->url, 2));
  shared->SetConfig("usage.threads", "1");
  TempDir io;
  std::string marker = io.path() + "/parsed";
  CliProcess node(RunArgs(shared->url, DayNow(2)),
                  {{"USAGED_FAULTS", "stall_parsed_unit=1"}, {"USAGED_FAULT_MARKER", marker}});
  ASSERT_TRUE(WaitFor([&] { return std::filesystem::exists(marker); }));
  node.Signal(SIGSTOP);
  shared->conn->Run(
      "UPDATE ${usage}.usaged_lease SET changing_token = token + 1, published_token = token + 1, "
      "token = token + 1 WHERE name = 'ingest'");
  node.Signal(SIGCONT);
  CliResult run = node.Wait();
  EXPECT_EQ(run.exit_code, 0) << run.err;
  EXPECT_TRUE(Contains(run.err, "began changing the helper tables")) << run.err;
  EXPECT_EQ(SortedRecordsCsv(shared->url), SortedRecordsCsv(reference->url));
  EXPECT_EQ(QueryCount(*shared->conn,
                       "SELECT count(*) FROM ${usage}.usaged_unit WHERE state <> 'done'"), 0);
}

}  // namespace
}  // namespace usaged::testing
