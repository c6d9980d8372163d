// Retention: usage.retention.years, its install-time default, and cleanup.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include "job/job_log.h"
#include "maintain/retention.h"
#include "support/scenario.h"

namespace usaged::testing {
namespace {

class RetentionTest : public ::testing::TestWithParam<std::string> {
 protected:
  // 30-day windows from 2024-01-01 to 2026-03: VM 7 ran in 2024 only, VM 8
  // still runs.
  void SetUp() override {
    s_ = std::make_unique<Scenario>(GetParam());
    s_->db().SetConfig("usage.stats.job.aggregation.range", "43200");
    s_->db().SetConfig("usage.account.shards", "1");
    s_->Vm("VM.CREATE", "2024-01-02 00:00:00", 7);
    s_->Vm("VM.START", "2024-01-02 00:00:00", 7);
    s_->Vm("VM.STOP", "2024-06-01 00:00:00", 7);
    s_->Vm("VM.CREATE", "2024-01-02 00:00:00", 8);
    s_->Vm("VM.START", "2024-01-02 00:00:00", 8);
    ASSERT_TRUE(RunAt(s_->conn(), "2026-03-15 00:00:00").ok());
  }

  int64_t Count(const std::string& where) {
    return QueryCount(s_->conn(), "SELECT count(*) FROM ${usage}.cloud_usage WHERE " + where);
  }

  CliResult Cli(std::vector<std::string> args) {
    args.insert(args.begin(), {"--db", s_->db().url});
    return RunCli(args);
  }

  std::unique_ptr<Scenario> s_;
};

TEST(RetentionCutoffTest, CalendarYearsBack) {
  EXPECT_EQ(FormatUtc(maintain::RetentionCutoff(ParseUtc("2026-03-15 10:20:30"), 1)),
            "2025-03-15 10:20:30");
  EXPECT_EQ(FormatUtc(maintain::RetentionCutoff(ParseUtc("2028-02-29 00:00:00"), 1)),
            "2027-02-28 00:00:00");
}

TEST_P(RetentionTest, OlderRecordsAndFinishedHelperRowsGoNewerStay) {
  s_->db().SetConfig("usage.retention.years", "1");
  const int64_t old_records = Count("end_date < '2025-03-15 00:00:00'");
  const int64_t new_records = Count("end_date >= '2025-03-15 00:00:00'");
  ASSERT_GT(old_records, 5);
  ASSERT_GT(new_records, 5);
  const std::string kept_before = QueryColumn(s_->conn(),
      "SELECT usage_key FROM ${usage}.cloud_usage WHERE end_date >= '2025-03-15 00:00:00' "
      "ORDER BY usage_key").back();

  ManualClock clock(ParseUtc("2026-03-15 00:00:00"));
  maintain::CleanupOptions options;
  options.batch_size = 4;
  auto summary = maintain::RunCleanup(s_->conn(), clock, options);
  ASSERT_TRUE(summary.job_id);
  EXPECT_EQ(FormatUtc(*summary.cutoff), "2025-03-15 00:00:00");
  EXPECT_EQ(summary.rows.front(), std::make_pair(std::string("cloud_usage"), old_records));
  EXPECT_EQ(Count("end_date < '2025-03-15 00:00:00'"), 0);
  EXPECT_EQ(Count("end_date >= '2025-03-15 00:00:00'"), new_records);
  EXPECT_EQ(QueryColumn(s_->conn(), "SELECT usage_key FROM ${usage}.cloud_usage "
                                    "ORDER BY usage_key").back(), kept_before);
  // VM 7's running interval, finished in 2024, is gone; open intervals (VM 7
  // is still allocated, VM 8 runs) stay.
  EXPECT_EQ(QueryColumn(s_->conn(), "SELECT vm_instance_id FROM ${usage}.usage_vm_instance "
                                    "ORDER BY vm_instance_id"),
            (std::vector<std::string>{"7", "8", "8"}));

  auto job = job::JobLog(s_->conn()).List().front();
  EXPECT_EQ(job.kind, "CLEANUP");
  EXPECT_EQ(job.state, "SUCCEEDED");
  EXPECT_EQ(job.units_total, (old_records + 3) / 4 + 1);  // + one batch of helper rows
  EXPECT_EQ(job.units_done, job.units_total);
  EXPECT_EQ(job.records, old_records + 1);
  EXPECT_FALSE(maintain::CleanupDue(s_->conn(), clock.Now() + std::chrono::hours(23)));
  EXPECT_TRUE(maintain::CleanupDue(s_->conn(), clock.Now() + std::chrono::hours(25)));
}

TEST_P(RetentionTest, AppliedEventsGoExceptTheIdsTheCopyStillReads) {
  s_->db().SetConfig("usage.retention.years", "1");
  // 10,010 more applied events of 2024, ids 1000..11009.
  s_->conn().Exec(
      "INSERT INTO ${usage}.usage_event (id, type, account_id, created, zone_id, processed) "
      "WITH d(x) AS (SELECT 0 UNION ALL SELECT 1 UNION ALL SELECT 2 UNION ALL SELECT 3 UNION ALL "
      "SELECT 4 UNION ALL SELECT 5 UNION ALL SELECT 6 UNION ALL SELECT 7 UNION ALL SELECT 8 "
      "UNION ALL SELECT 9), n(i) AS (SELECT 1000 + a.x + 10 * b.x + 100 * c.x + 1000 * e.x + "
      "10000 * f.x FROM d a, d b, d c, d e, d f) "
      "SELECT i, 'VM.CREATE', 2, '2024-02-01 00:00:00', 1, 1 FROM n WHERE i <= 11009");
  ManualClock clock(ParseUtc("2026-03-15 00:00:00"));
  auto summary = maintain::RunCleanup(s_->conn(), clock);
  // The five events of the scenario and ids 1000..1009: everything at or
  // below the highest id minus the copy's recheck window.
  EXPECT_EQ(summary.rows.back(), std::make_pair(std::string("usage_event"), int64_t{15}));
  EXPECT_EQ(QueryCount(s_->conn(), "SELECT min(id) FROM ${usage}.usage_event"), 1010);
  // Nothing deleted is copied (and applied) again.
  auto next = RunAt(s_->conn(), "2026-04-15 00:00:00");
  EXPECT_EQ(next.events_copied, 0);
}

TEST_P(RetentionTest, DryRunChangesNothing) {
  s_->db().SetConfig("usage.retention.years", "1");
  const std::string before = SortedRecordsCsv(s_->db().url);
  CliResult r = Cli({"cleanup", "--dry-run", "--now", "2026-03-15 00:00:00"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find(fmt::format("would delete from cloud_usage: {}",
                                   Count("end_date < '2025-03-15 00:00:00'"))),
            std::string::npos) << r.out;
  EXPECT_EQ(SortedRecordsCsv(s_->db().url), before);
  EXPECT_EQ(job::JobLog(s_->conn()).List().front().kind, "RUN");
}

TEST_P(RetentionTest, ZeroAndMinusOneKeepEverything) {
  const std::string before = SortedRecordsCsv(s_->db().url);
  for (const char* years : {"0", "-1"}) {
    s_->db().SetConfig("usage.retention.years", years);
    CliResult r = Cli({"cleanup", "--now", "2026-03-15 00:00:00"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_NE(r.out.find("every record is kept"), std::string::npos) << r.out;
    EXPECT_EQ(SortedRecordsCsv(s_->db().url), before);
    auto job = job::JobLog(s_->conn()).List().front();
    EXPECT_EQ(job.kind, "CLEANUP");
    EXPECT_EQ(job.state, "SUCCEEDED");
    EXPECT_NE(job.reason->find(std::string("= ") + years), std::string::npos) << *job.reason;
  }
}

TEST_P(RetentionTest, WaitsWhileAnotherJobRuns) {
  s_->db().SetConfig("usage.retention.years", "1");
  job::JobStart running;
  running.kind = job::JobKind::kRegenerate;
  running.range_start = running.range_end = ParseUtc("2025-01-01");
  job::JobLog(s_->conn()).Start(running, ParseUtc("2026-03-14 23:00:00"));
  const std::string before = SortedRecordsCsv(s_->db().url);
  CliResult r = Cli({"cleanup", "--now", "2026-03-15 00:00:00"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("REGENERATE) is running"), std::string::npos) << r.err;
  EXPECT_EQ(SortedRecordsCsv(s_->db().url), before);
}

class RetentionInstallTest : public ::testing::TestWithParam<std::string> {};

TEST_P(RetentionInstallTest, FreshInstallKeepsOneYearAnExistingDatabaseEverything) {
  FreshDatabase fresh(GetParam());
  const std::string& url = fresh.url();
  ASSERT_EQ(RunCli({"--db", url, "init"}).exit_code, 0);
  EXPECT_EQ(RunCli({"--db", url, "config", "get", "usage.retention.years"}).out, "1\n");

  // The same database as before this release, now holding usage data:
  // `init` chooses -1 (keep everything), CloudStack's value for a new setting
  // on upgrade.
  ASSERT_EQ(RunCli({"--db", url, "migrate", "--down", "--to", "14", "--yes"}).exit_code, 0);
  {
    auto store = store::OpenStore(url);
    auto conn = store->Connect();
    conn->Run("INSERT INTO ${usage}.cloud_usage (zone_id, account_id, domain_id, description, "
              "usage_display, usage_type, raw_usage, start_date, end_date, usage_key) VALUES "
              "(1, 2, 1, 'old', '24 Hrs', 1, 24, '2020-01-01 00:00:00', "
              "'2020-01-01 23:59:59', 'legacy:1')");
  }
  ASSERT_EQ(RunCli({"--db", url, "init"}).exit_code, 0);
  EXPECT_EQ(RunCli({"--db", url, "config", "get", "usage.retention.years"}).out, "-1\n");

  // Only the Java server's usage jobs, no record (its records already
  // removed): usage data all the same.
  ASSERT_EQ(RunCli({"--db", url, "migrate", "--down", "--to", "14", "--yes"}).exit_code, 0);
  {
    auto store = store::OpenStore(url);
    auto conn = store->Connect();
    conn->Exec("DELETE FROM ${usage}.cloud_usage");
    conn->Run("INSERT INTO ${usage}.usage_job (host, pid, job_type, scheduled, start_millis, "
              "end_millis, exec_time, start_date, end_date, success, heartbeat) VALUES "
              "('java-usage', 1, 0, 0, 1577836800000, 1577923199999, 1200, "
              "'2020-01-01 00:00:00', '2020-01-01 23:59:59', 1, '2020-01-02 00:15:00')");
  }
  ASSERT_EQ(RunCli({"--db", url, "migrate"}).exit_code, 0);
  EXPECT_EQ(RunCli({"--db", url, "config", "get", "usage.retention.years"}).out, "-1\n");

  // A value the operator set survives an upgrade.
  ASSERT_EQ(RunCli({"--db", url, "config", "set", "usage.retention.years", "7"}).exit_code, 0);
  ASSERT_EQ(RunCli({"--db", url, "migrate", "--down", "--to", "14", "--yes"}).exit_code, 0);
  {
    auto store = store::OpenStore(url);
    auto conn = store->Connect();
    conn->Run("INSERT INTO ${cloud}.configuration (category, instance, component, name, value) "
              "VALUES ('Usage', 'DEFAULT', 'usage-server', 'usage.retention.years', '7')");
  }
  ASSERT_EQ(RunCli({"--db", url, "migrate"}).exit_code, 0);
  EXPECT_EQ(RunCli({"--db", url, "config", "get", "usage.retention.years"}).out, "7\n");
  CliResult bad = RunCli({"--db", url, "config", "set", "usage.retention.years", "-2"});
  EXPECT_EQ(bad.exit_code, 2);
}

INSTANTIATE_TEST_SUITE_P(Engines, RetentionTest, ::testing::ValuesIn(TestEngines()));
INSTANTIATE_TEST_SUITE_P(Engines, RetentionInstallTest, ::testing::ValuesIn(TestEngines()));

}  // namespace
}  // namespace usaged::testing
