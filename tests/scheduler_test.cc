// `usaged run` without --once: the scheduled job and a clean stop on SIGTERM.
#include <gtest/gtest.h>
#include <signal.h>

#include <filesystem>

#include "sim/random_cloud.h"
#include "support/scenario.h"

namespace usaged::testing {
namespace {

class SchedulerTest : public ::testing::TestWithParam<std::string> {};

bool HasJobInState(const std::string& url, const std::string& state) {
  CliResult jobs = RunCli({"--db", url, "jobs", "--format", "csv"});
  return jobs.out.find("," + state + ",") != std::string::npos;
}

TEST_P(SchedulerTest, RunsAtTheExecTimeAndStopsOnSigterm) {
  Scenario s(GetParam());
  s.Vm("VM.CREATE", "2026-01-13 08:00:00", 7);
  s.Vm("VM.START", "2026-01-13 08:00:00", 7);
  std::string url = s.db().url;
  s.conn().Exec("SELECT 1");
  // The clock starts two seconds before the default exec time, 00:15.
  CliProcess run({"--db", url, "run", "--now", "2026-01-15 00:14:58"});
  EXPECT_TRUE(WaitFor([&] { return HasJobInState(url, "SUCCEEDED"); }));
  run.Signal(SIGTERM);
  CliResult result = run.Wait();
  EXPECT_EQ(result.exit_code, 0) << result.err;
  EXPECT_NE(result.err.find("next usage job at 2026-01-15 00:15:00"), std::string::npos)
      << result.err;
  EXPECT_NE(result.err.find("scheduler stopped"), std::string::npos) << result.err;
  // Both due days are billed, nothing after.
  auto records = ReadRecords(s.conn());
  ASSERT_EQ(records.size(), 4u);
  EXPECT_EQ(FormatUtc(records.back().start_date), "2026-01-14 00:00:00");
}

TEST_P(SchedulerTest, SigtermFinishesTheUnitInProgress) {
  auto db = NewTestStore(GetParam());
  sim::RandomCloudSpec spec;
  spec.seed = 3;
  spec.accounts = 8;
  spec.days = 6;
  spec.start = ParseUtc("2026-03-01 00:00:00");
  sim::WriteRandomCloud(*db->conn, spec);
  db->SetConfig("usage.threads", "1");  // units in order, so "the third" is well defined
  TempDir io;
  std::string marker = io.path() + "/in-flight";
  CliProcess run({"--db", db->url, "run", "--now", "2026-03-07 00:14:59"},
                 {{"USAGED_FAULTS", "stall_unit=3"}, {"USAGED_FAULT_MARKER", marker}});
  ASSERT_TRUE(WaitFor([&] { return std::filesystem::exists(marker); }));
  run.Signal(SIGTERM);
  CliResult result = run.Wait();
  EXPECT_EQ(result.exit_code, 0) << result.err;
  // The stalled unit (the third) committed; the job stopped after it.
  EXPECT_EQ(QueryCount(*db->conn, "SELECT count(*) FROM ${usage}.usaged_unit WHERE state = 'done'"), 3);
  EXPECT_TRUE(HasJobInState(db->url, "INTERRUPTED"));
  EXPECT_EQ(QueryCount(*db->conn, "SELECT coalesce(sum(records), 0) FROM ${usage}.usaged_unit"),
            QueryCount(*db->conn, "SELECT count(*) FROM ${usage}.cloud_usage"));
  // The next run finishes the rest exactly as one uninterrupted run would.
  auto reference = NewTestStore(GetParam());
  sim::WriteRandomCloud(*reference->conn, spec);
  ASSERT_TRUE(RunAt(*reference->conn, "2026-03-07 00:15:00").ok());
  CliResult again = RunCli({"--db", db->url, "run", "--once", "--now", "2026-03-07 00:15:00"});
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_EQ(SortedRecordsCsv(db->url), SortedRecordsCsv(reference->url));
}

// CloudStack's side of usage_job: the management server shows the host of the
// open recurring row and its heartbeat, and generateUsageRecords inserts an
// open one-off row for that host and pid, which the usage server must run.
TEST_P(SchedulerTest, KeepsCloudStacksUsageJobProtocol) {
  Scenario s(GetParam());
  s.Vm("VM.CREATE", "2026-01-13 08:00:00", 7);
  s.Vm("VM.START", "2026-01-13 08:00:00", 7);
  // A Java usage server stopped ten minutes ago left its open recurring row.
  s.conn().Run("INSERT INTO ${usage}.usage_job (host, pid, job_type, scheduled, start_millis, "
               "end_millis, exec_time, heartbeat) VALUES ('old-host/10.0.0.9', 4242, 0, 0, 0, 0, "
               "0, ?)",
               ParseUtc("2026-01-15 02:50:00"));
  std::string url = s.db().url;
  // The next scheduled run (00:15 tomorrow) is far away: only a requested run
  // can bill the two due days.
  CliProcess run({"--db", url, "run", "--now", "2026-01-15 03:00:00", "--heartbeat-seconds", "1"});
  auto owner = [&] {
    return QueryColumn(s.conn(), "SELECT pid FROM ${usage}.usage_job WHERE job_type = 0 AND "
                                 "end_millis = 0");
  };
  ASSERT_TRUE(WaitFor([&] { return owner() == std::vector<std::string>{std::to_string(run.pid())}; }))
      << "the silent server's row was not taken over";
  EXPECT_EQ(QueryCount(s.conn(), "SELECT count(*) FROM ${usage}.usage_job"), 1);
  EXPECT_EQ(ReadRecords(s.conn()).size(), 0u);

  // What generateUsageRecords writes.
  s.conn().Run("INSERT INTO ${usage}.usage_job (host, pid, job_type, scheduled, start_millis, "
               "end_millis, exec_time, heartbeat) SELECT host, pid, 1, 0, 0, 0, 0, heartbeat FROM "
               "${usage}.usage_job WHERE job_type = 0 AND end_millis = 0");
  auto finished = [&] {
    return QueryCount(s.conn(), "SELECT count(*) FROM ${usage}.usage_job WHERE job_type = 1 AND "
                                "scheduled = 1 AND end_millis > 0 AND success = 1");
  };
  EXPECT_TRUE(WaitFor([&] { return finished() == 1; }));
  run.Signal(SIGTERM);
  CliResult result = run.Wait();
  EXPECT_EQ(result.exit_code, 0) << result.err;
  EXPECT_NE(result.err.find("requested through CloudStack"), std::string::npos) << result.err;
  EXPECT_EQ(ReadRecords(s.conn()).size(), 4u);  // running + allocated, two days
  EXPECT_EQ(QueryColumn(s.conn(), "SELECT end_date FROM ${usage}.usage_job WHERE job_type = 1"),
            std::vector<std::string>{"2026-01-14 23:59:59"});
  // Never an inverted row.
  EXPECT_EQ(QueryCount(s.conn(), "SELECT count(*) FROM ${usage}.usage_job WHERE "
                                 "start_millis > end_millis AND end_millis > 0"),
            0);
}

INSTANTIATE_TEST_SUITE_P(Engines, SchedulerTest, ::testing::ValuesIn(TestEngines()));

}  // namespace
}  // namespace usaged::testing
