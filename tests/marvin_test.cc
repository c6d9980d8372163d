// The Marvin-style scenario of the usage server refactor: a few running VMs,
// a 5-minute aggregation range for three windows, a switch to daily, a
// regeneration of the day for the account. Once with the simulated clock
// (`run --once --now`), once with the real clock (`run` until SIGTERM).
#include <gtest/gtest.h>
#include <signal.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "core/usage_types.h"
#include "maintain/record_checks.h"
#include "support/scenario.h"

namespace usaged::testing {
namespace {

// Running-time records per VM.
std::map<int64_t, int> RunningRecordsPerVm(store::Connection& conn) {
  std::map<int64_t, int> out;
  for (const auto& r : ReadRecords(conn, usage_type::kRunningVm)) ++out[*r.vm_instance_id];
  return out;
}

// Three running VMs of the account, one of another account, from 00:00.
int64_t StartVms(Scenario& s, const std::string& at) {
  int64_t other = s.AddAccount("other");
  for (int64_t vm : {7, 8, 9}) {
    s.Vm("VM.CREATE", at, vm);
    s.Vm("VM.START", at, vm);
  }
  s.Vm("VM.CREATE", at, 20, 10, other);
  s.Vm("VM.START", at, 20, 10, other);
  return other;
}

class MarvinTest : public ::testing::TestWithParam<std::string> {};

TEST_P(MarvinTest, FiveMinuteWindowsThenDailyThenRegenerateTheDay) {
  Scenario s(GetParam());
  const std::string& url = s.db().url;
  StartVms(s, "2026-02-01 00:00:00");
  s.db().SetConfig("usage.stats.job.aggregation.range", "5");
  auto run_once = [&](const std::string& now) {
    CliResult r = RunCli({"--db", url, "run", "--once", "--now", now});
    ASSERT_EQ(r.exit_code, 0) << r.err;
  };
  // The server runs for three windows, then stops.
  for (const char* now : {"2026-02-01 00:05:00", "2026-02-01 00:10:00", "2026-02-01 00:15:00"}) {
    run_once(now);
  }
  EXPECT_EQ(RunningRecordsPerVm(s.conn()),
            (std::map<int64_t, int>{{7, 3}, {8, 3}, {9, 3}, {20, 3}}));

  // Two windows later the range becomes daily; the next job bills the rest of
  // the day as one window up to the next daily boundary.
  ASSERT_EQ(RunCli({"--db", url, "config", "set", "usage.stats.job.aggregation.range", "1440"})
                .exit_code, 0);
  run_once("2026-02-02 00:15:00");
  EXPECT_EQ(RunningRecordsPerVm(s.conn()),
            (std::map<int64_t, int>{{7, 4}, {8, 4}, {9, 4}, {20, 4}}));
  for (const auto& r : ReadRecords(s.conn(), usage_type::kRunningVm)) {
    if (FormatUtc(r.start_date) == "2026-02-01 00:15:00") {
      EXPECT_DOUBLE_EQ(r.raw_usage, 23.75);
    }
  }

  // Regenerating the day for the account replaces its records window by
  // window: the same windows, so the same counts and the same records (the
  // Java server's count grows here because it bills the day again on top).
  const std::string before = SortedRecordsCsv(url);
  CliResult regen = RunCli({"--db", url, "regenerate", "--start", "2026-02-01", "--end",
                            "2026-02-02", "--account", std::to_string(s.account()), "--reason",
                            "marvin", "--now", "2026-02-02 00:20:00"});
  ASSERT_EQ(regen.exit_code, 0) << regen.err;
  EXPECT_NE(regen.out.find("records deleted 24, written 24"), std::string::npos) << regen.out;
  EXPECT_EQ(SortedRecordsCsv(url), before);
  EXPECT_EQ(RunningRecordsPerVm(s.conn()),
            (std::map<int64_t, int>{{7, 4}, {8, 4}, {9, 4}, {20, 4}}));
  EXPECT_EQ(maintain::CountDuplicateRecords(s.conn()), 0);
  TempDir logs;
  CliResult sanity = RunCli({"--db", url, "--log-dir", logs.path(), "sanity", "--start",
                             "2026-02-01", "--end", "2026-02-02", "--now",
                             "2026-02-02 00:30:00"});
  EXPECT_EQ(sanity.exit_code, 0) << sanity.out << sanity.err;
}

// The real clock: `run` with a 1-minute range until three windows are billed
// (about two minutes), then SIGTERM. The clock starts at 00:00:57, so the
// first job runs three seconds after start.
TEST_P(MarvinTest, RealClockOneMinuteWindowsSlow) {
  Scenario s(GetParam());
  const std::string& url = s.db().url;
  StartVms(s, "2026-02-01 00:00:00");
  s.db().SetConfig("usage.stats.job.aggregation.range", "1");
  // One unit per window: a window's records and its done-mark commit together.
  s.db().SetConfig("usage.account.shards", "1");
  TempDir logs;
  const std::string sanity_log = logs.path() + "/sanity.log";
  CliProcess run({"--db", url, "--log-dir", logs.path(), "run", "--now",
                  "2026-02-01 00:00:57"});
  ASSERT_TRUE(WaitFor([&] { return RunningRecordsPerVm(s.conn())[7] >= 3; },
                      std::chrono::minutes(4)));
  run.Signal(SIGTERM);
  CliResult result = run.Wait();
  EXPECT_EQ(result.exit_code, 0) << result.err;
  EXPECT_NE(result.err.find("scheduler stopped"), std::string::npos) << result.err;

  const int64_t windows = QueryCount(
      s.conn(), "SELECT count(*) FROM ${usage}.usaged_unit WHERE state = 'done'");
  EXPECT_GE(windows, 3);
  EXPECT_EQ(RunningRecordsPerVm(s.conn()),
            (std::map<int64_t, int>{{7, windows}, {8, windows}, {9, windows}, {20, windows}}));
  EXPECT_EQ(maintain::CountDuplicateRecords(s.conn()), 0);
  for (const auto& r : ReadRecords(s.conn(), usage_type::kRunningVm)) {
    EXPECT_NEAR(r.raw_usage, 1.0 / 60, 1e-9) << FormatUtc(r.start_date);
  }
  // The housekeeping ran after the first job: a cleanup and a clean sanity check.
  EXPECT_EQ(QueryCount(s.conn(), "SELECT count(*) FROM ${usage}.usaged_job WHERE kind = "
                                 "'CLEANUP' AND state = 'SUCCEEDED'"), 1);
  EXPECT_EQ(QueryColumn(s.conn(), "SELECT state FROM ${usage}.usaged_job WHERE kind = 'SANITY'"),
            std::vector<std::string>{"SUCCEEDED"});
  std::ifstream in(sanity_log);
  std::stringstream text;
  text << in.rdbuf();
  EXPECT_NE(text.str().find("0 finding(s)"), std::string::npos) << text.str();
}

INSTANTIATE_TEST_SUITE_P(Engines, MarvinTest, ::testing::ValuesIn(TestEngines()));

}  // namespace
}  // namespace usaged::testing
