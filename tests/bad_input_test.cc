// Bad input: a clear message and a non-zero exit for the CLI; bad events
// quarantined with a reason while every other event is processed.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "core/usage_types.h"
#include "ingest/quarantine.h"
#include "support/scenario.h"

namespace usaged::testing {
namespace {

class BadInputTest : public ::testing::TestWithParam<std::string> {};

bool Contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

TEST_P(BadInputTest, BadEventsAreQuarantinedAndTheRestIsBilled) {
  Scenario s(GetParam());
  // Good events for a VM that runs all of 2026-01-14.
  s.Vm("VM.CREATE", "2026-01-13 12:00:00", 7);
  int64_t start = s.Vm("VM.START", "2026-01-13 12:00:00", 7);
  // Unknown event type.
  sim::EventSpec unknown;
  unknown.type = "FLUX.CAPACITOR.ON";
  unknown.account_id = s.account();
  unknown.created = ParseUtc("2026-01-13 13:00:00");
  unknown.resource_id = 1;
  int64_t unknown_id = s.Event(unknown);
  // STOP without START.
  int64_t stop_id = s.Vm("VM.STOP", "2026-01-13 14:00:00", 8);
  // The same event stored twice under another id.
  int64_t copy_id = s.Vm("VM.START", "2026-01-13 12:00:00", 7);
  // NULL resource id.
  sim::EventSpec no_resource;
  no_resource.type = "VOLUME.CREATE";
  no_resource.account_id = s.account();
  no_resource.created = ParseUtc("2026-01-13 15:00:00");
  no_resource.size = 10;
  int64_t null_id = s.Event(no_resource);
  // An event of an account CloudStack does not know.
  int64_t orphan_id = s.Vm("VM.CREATE", "2026-01-13 16:00:00", 9, 10, /*account=*/999);
  // A good volume after all the bad ones.
  s.Volume("VOLUME.CREATE", "2026-01-13 17:00:00", 501, 1024);

  auto summary = RunAt(s.conn(), "2026-01-15 00:10:00");
  EXPECT_TRUE(summary.ok());
  EXPECT_EQ(summary.events_quarantined, 5);

  std::map<int64_t, std::string> reasons;
  for (const auto& q : ingest::ListQuarantine(s.conn())) reasons[q.source_id] = q.reason;
  ASSERT_EQ(reasons.size(), 5u);
  EXPECT_TRUE(Contains(reasons[unknown_id], "unknown event type 'FLUX.CAPACITOR.ON'"));
  EXPECT_TRUE(Contains(reasons[stop_id], "no open running interval")) << reasons[stop_id];
  EXPECT_TRUE(Contains(reasons[copy_id], "duplicate")) << reasons[copy_id];
  EXPECT_TRUE(Contains(reasons[null_id], "no resource_id")) << reasons[null_id];
  EXPECT_TRUE(Contains(reasons[orphan_id], "account 999")) << reasons[orphan_id];
  EXPECT_EQ(reasons.count(start), 0u);

  // Every event is processed; the good ones are billed exactly once.
  EXPECT_EQ(QueryCount(s.conn(), "SELECT count(*) FROM ${usage}.usage_event WHERE processed = 0"), 0);
  auto running = ReadRecords(s.conn(), usage_type::kRunningVm);
  ASSERT_EQ(running.size(), 2u);
  EXPECT_EQ(running[1].raw_usage, 24.0);
  EXPECT_EQ(ReadRecords(s.conn(), usage_type::kVolume).size(), 2u);
}

TEST_P(BadInputTest, CliRejectsBadArgumentsWithAClearMessage) {
  FreshDatabase fresh(GetParam());
  const std::string& url = fresh.url();
  ASSERT_EQ(RunCli({"--db", url, "init"}).exit_code, 0);

  CliResult bad_now = RunCli({"--db", url, "run", "--once", "--now", "2026-02-30 10:00"});
  EXPECT_EQ(bad_now.exit_code, 2);
  EXPECT_TRUE(Contains(bad_now.err, "invalid --now '2026-02-30 10:00'")) << bad_now.err;
  EXPECT_TRUE(Contains(bad_now.err, "YYYY-MM-DD HH:MM:SS"));

  CliResult unknown_key = RunCli({"--db", url, "config", "set", "usage.bogus", "1"});
  EXPECT_EQ(unknown_key.exit_code, 2);
  EXPECT_TRUE(Contains(unknown_key.err, "unknown configuration key 'usage.bogus'"));
  CliResult unknown_get = RunCli({"--db", url, "config", "get", "usage.bogus"});
  EXPECT_EQ(unknown_get.exit_code, 2);

  CliResult bad_value =
      RunCli({"--db", url, "config", "set", "usage.stats.job.aggregation.range", "daily"});
  EXPECT_EQ(bad_value.exit_code, 2);
  EXPECT_TRUE(Contains(bad_value.err, "usage.stats.job.aggregation.range")) << bad_value.err;
  CliResult bad_zone = RunCli({"--db", url, "config", "set", "usage.aggregation.timezone", "Mars"});
  EXPECT_EQ(bad_zone.exit_code, 2);
  CliResult good = RunCli({"--db", url, "config", "set", "usage.stats.job.aggregation.range", "60"});
  EXPECT_EQ(good.exit_code, 0) << good.err;
  EXPECT_EQ(RunCli({"--db", url, "config", "get", "usage.stats.job.aggregation.range"}).out, "60\n");

  CliResult bad_format = RunCli({"--db", url, "records", "--format", "xml"});
  EXPECT_EQ(bad_format.exit_code, 2);
  EXPECT_TRUE(Contains(bad_format.err, "expected table, json or csv"));
  CliResult bad_type = RunCli({"--db", url, "records", "--type", "17"});
  EXPECT_EQ(bad_type.exit_code, 2);
  CliResult bad_db = RunCli({"--db", "postgres://x", "records"});
  EXPECT_EQ(bad_db.exit_code, 2);
  EXPECT_TRUE(Contains(bad_db.err, "invalid --db 'postgres://x'"));
  CliResult no_command = RunCli({});
  EXPECT_NE(no_command.exit_code, 0);
}

TEST(SqliteBadInputTest, UnreadableDatabasePathsFailCleanly) {
  TempDir dir;
  // Missing database: not silently created.
  CliResult missing = RunCli({"--db", "sqlite:" + dir.path() + "/nothing", "records"});
  EXPECT_EQ(missing.exit_code, 3);
  EXPECT_TRUE(Contains(missing.err, "run `usaged init`")) << missing.err;
  // A path below a regular file.
  std::string file = dir.path() + "/plain";
  { std::ofstream(file) << "x"; }
  CliResult under_file = RunCli({"--db", "sqlite:" + file + "/db", "init"});
  EXPECT_EQ(under_file.exit_code, 3);
  EXPECT_TRUE(Contains(under_file.err, "cannot create database directory")) << under_file.err;
  // A file that is not an SQLite database.
  std::string junk = dir.path() + "/junk";
  std::filesystem::create_directories(junk);
  { std::ofstream(junk + "/cloud.db") << std::string(4096, 'z'); }
  { std::ofstream(junk + "/cloud_usage.db") << std::string(4096, 'z'); }
  CliResult not_db = RunCli({"--db", "sqlite:" + junk, "records"});
  EXPECT_EQ(not_db.exit_code, 3);
  EXPECT_TRUE(Contains(not_db.err, "cannot open SQLite database")) << not_db.err;
  // A database directory that exists but was never initialised.
  std::string empty = dir.path() + "/empty";
  std::filesystem::create_directories(empty);
  CliResult uninitialised = RunCli({"--db", "sqlite:" + empty, "run", "--once"});
  EXPECT_EQ(uninitialised.exit_code, 3);
  EXPECT_EQ(uninitialised.err.find("terminate"), std::string::npos);
}

TEST_P(BadInputTest, ASecondJobProcessIsRefused) {
  // On MariaDB a second process is another node (tests/cluster_test.cc).
  if (GetParam() != "sqlite") GTEST_SKIP() << "several nodes share MariaDB";
  Scenario s(GetParam());
  auto lock = s.db().store->LockJobs();
  CliResult second = RunCli({"--db", s.db().url, "run", "--once", "--now", "2026-01-15 00:10:00"});
  EXPECT_EQ(second.exit_code, 3);
  EXPECT_TRUE(Contains(second.err, "another usaged process")) << second.err;
}

INSTANTIATE_TEST_SUITE_P(Engines, BadInputTest, ::testing::ValuesIn(TestEngines()));

}  // namespace
}  // namespace usaged::testing
