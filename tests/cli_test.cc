// The usaged command end to end: init, run --once, records, crash safety.
#include <gtest/gtest.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>

#include <random>
#include <thread>

#include "sim/random_cloud.h"
#include "support/test_env.h"

namespace usaged::testing {
namespace {

// A store with a 30-day random cloud of several types and accounts.
std::unique_ptr<TestStore> RandomCloudStore(const std::string& engine) {
  auto db = NewTestStore(engine);
  sim::RandomCloudSpec spec;
  spec.seed = 7;
  spec.accounts = 12;
  spec.vms_per_account = 3;
  spec.days = 30;
  spec.start = ParseUtc("2026-02-01 00:00:00");
  sim::WriteRandomCloud(*db->conn, spec);
  db->SetConfig("usage.account.shards", "4");
  return db;
}

constexpr const char* kNow = "2026-03-03 00:10:00";

class CliTest : public ::testing::TestWithParam<std::string> {};

TEST_P(CliTest, InitIsIdempotent) {
  FreshDatabase fresh(GetParam());
  const std::string& url = fresh.url();
  CliResult first = RunCli({"--db", url, "init"});
  ASSERT_EQ(first.exit_code, 0) << first.err;
  auto version_at = first.out.find("schema version ");
  ASSERT_NE(version_at, std::string::npos) << first.out;
  std::string version = first.out.substr(version_at, first.out.find(' ', version_at + 15) - version_at);
  EXPECT_EQ(first.out.find("(0 migration(s) applied)"), std::string::npos) << first.out;
  CliResult second = RunCli({"--db", url, "init"});
  ASSERT_EQ(second.exit_code, 0) << second.err;
  EXPECT_NE(second.out.find(version + " (0 migration(s) applied)"), std::string::npos)
      << second.out;
  CliResult get = RunCli({"--db", url, "config", "get", "usage.stats.job.aggregation.range"});
  EXPECT_EQ(get.out, "1440\n");
}

TEST_P(CliTest, RunningTwiceWithTheSameNowAddsNothing) {
  auto db = RandomCloudStore(GetParam());
  std::string url = db->url;
  db->conn.reset();
  CliResult first = RunCli({"--db", url, "run", "--once", "--now", kNow});
  ASSERT_EQ(first.exit_code, 0) << first.err;
  std::string csv = SortedRecordsCsv(url);
  ASSERT_GT(std::count(csv.begin(), csv.end(), '\n'), 500);
  CliResult second = RunCli({"--db", url, "run", "--once", "--now", kNow});
  ASSERT_EQ(second.exit_code, 0) << second.err;
  EXPECT_NE(second.out.find("windows planned 0; units done 0"), std::string::npos) << second.out;
  EXPECT_NE(second.err.find("no window is due"), std::string::npos) << second.err;
  EXPECT_EQ(SortedRecordsCsv(url), csv);
  CliResult jobs = RunCli({"--db", url, "jobs", "--format", "csv"});
  EXPECT_EQ(std::count(jobs.out.begin(), jobs.out.end(), '\n'), 2) << jobs.out;  // header + 1 job
}

TEST_P(CliTest, DayByDayRunsEqualOneCatchUpRun) {
  auto daily = RandomCloudStore(GetParam());
  auto catch_up = RandomCloudStore(GetParam());
  for (Instant t = ParseUtc("2026-02-02 00:10:00"); t <= ParseUtc(kNow); t += std::chrono::hours(24)) {
    ASSERT_TRUE(RunAt(*daily->conn, FormatUtc(t)).ok());
  }
  ASSERT_TRUE(RunAt(*catch_up->conn, kNow).ok());
  EXPECT_EQ(SortedRecordsCsv(daily->url), SortedRecordsCsv(catch_up->url));
}

// SIGKILL at chosen points (inside a unit's transaction, inside an event page's
// transaction) and at random moments; the next run must give exactly the
// records of an uninterrupted run.
TEST_P(CliTest, KillingARunAndRunningAgainGivesIdenticalRecords) {
  auto reference = RandomCloudStore(GetParam());
  ASSERT_TRUE(RunAt(*reference->conn, kNow).ok());
  const std::string expected = SortedRecordsCsv(reference->url);

  for (std::string fault : {"crash_event_page=1", "crash_unit=1", "crash_unit=37",
                            "crash_unit=120"}) {
    auto db = RandomCloudStore(GetParam());
    std::string url = db->url;
    db->conn.reset();
    CliResult killed = RunCli({"--db", url, "run", "--once", "--now", kNow},
                              {{"USAGED_FAULTS", fault}});
    ASSERT_EQ(killed.signal, SIGKILL) << fault << ": " << killed.err;
    CliResult again = RunCli({"--db", url, "run", "--once", "--now", kNow});
    ASSERT_EQ(again.exit_code, 0) << fault << ": " << again.err;
    EXPECT_EQ(SortedRecordsCsv(url), expected) << fault;
    if (fault.rfind("crash_unit", 0) == 0) {
      // The killed job is marked INTERRUPTED by the next run.
      CliResult jobs = RunCli({"--db", url, "jobs", "--format", "csv"});
      EXPECT_NE(jobs.out.find("INTERRUPTED"), std::string::npos) << fault << jobs.out;
      CliResult alerts = RunCli({"--db", url, "alerts", "--format", "csv"});
      EXPECT_NE(alerts.out.find("did not finish"), std::string::npos) << fault << alerts.out;
    }
  }

  std::mt19937 rng(20260125);
  for (int i = 0; i < 3; ++i) {
    auto db = RandomCloudStore(GetParam());
    std::string url = db->url;
    db->conn.reset();
    CliProcess run({"--db", url, "--log-level", "off", "run", "--once", "--now", kNow});
    std::this_thread::sleep_for(
        std::chrono::milliseconds(std::uniform_int_distribution<int>(5, 120)(rng)));
    run.Signal(SIGKILL);
    run.Wait();
    CliResult again = RunCli({"--db", url, "run", "--once", "--now", kNow});
    ASSERT_EQ(again.exit_code, 0) << again.err;
    EXPECT_EQ(SortedRecordsCsv(url), expected) << "random kill " << i;
  }
}

TEST_P(CliTest, RecordsCanBeFilteredAndFormatted) {
  auto db = RandomCloudStore(GetParam());
  ASSERT_TRUE(RunAt(*db->conn, kNow).ok());
  CliResult json = RunCli({"--db", db->url, "records", "--type", "13", "--start",
                           "2026-02-10 00:00:00", "--end", "2026-02-10 23:59:59", "--format",
                           "json"});
  ASSERT_EQ(json.exit_code, 0) << json.err;
  EXPECT_NE(json.out.find("\"usage_type\":13"), std::string::npos);
  EXPECT_EQ(json.out.find("\"usage_type\":1,"), std::string::npos);
  EXPECT_EQ(json.out.find("2026-02-11"), std::string::npos);
  CliResult table = RunCli({"--db", db->url, "records", "--account", "2"});
  ASSERT_EQ(table.exit_code, 0);
  EXPECT_NE(table.out.find("usage_display"), std::string::npos);
}

INSTANTIATE_TEST_SUITE_P(Engines, CliTest, ::testing::ValuesIn(TestEngines()));

}  // namespace
}  // namespace usaged::testing
