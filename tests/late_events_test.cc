// Late events: an event whose time falls in windows already billed restates
// exactly those windows for its account, and nothing else.
#include <gtest/gtest.h>

#include <sstream>

#include "core/usage_types.h"
#include "ingest/quarantine.h"
#include "maintain/record_checks.h"
#include "support/scenario.h"

namespace usaged::testing {
namespace {

class LateEventsTest : public ::testing::TestWithParam<std::string> {
 protected:
  // Two accounts, three running VMs since 2026-01-10.
  static void History(Scenario& s, int64_t other_account) {
    for (int64_t vm : {7, 8}) {
      s.Vm("VM.CREATE", "2026-01-10 00:00:00", vm);
      s.Vm("VM.START", "2026-01-10 00:00:00", vm);
    }
    s.Vm("VM.CREATE", "2026-01-10 00:00:00", 9, 10, other_account);
    s.Vm("VM.START", "2026-01-10 00:00:00", 9, 10, other_account);
  }

  static std::set<std::string> Lines(const std::string& csv) {
    std::set<std::string> out;
    std::istringstream in(csv);
    std::string line;
    while (std::getline(in, line)) out.insert(line);
    return out;
  }
};

TEST_P(LateEventsTest, AStopThreeDaysLateRestatesOnlyThatVmsDays) {
  Scenario late(GetParam());
  int64_t other = late.AddAccount("other");
  History(late, other);
  for (const char* day : {"2026-01-11", "2026-01-12", "2026-01-13", "2026-01-14", "2026-01-15"}) {
    ASSERT_TRUE(RunAt(late.conn(), std::string(day) + " 00:10:00").ok());
  }
  const std::string before = SortedRecordsCsv(late.db().url);
  // The VM.STOP of 2026-01-12 06:00 arrives on the 15th (committed late).
  late.Vm("VM.STOP", "2026-01-12 06:00:00", 7);
  auto summary = RunAt(late.conn(), "2026-01-16 00:10:00");
  ASSERT_TRUE(summary.ok());
  EXPECT_EQ(summary.late_events, 1);
  EXPECT_EQ(summary.restated_units, 3);  // the windows of the 12th, 13th and 14th

  // The same history with the STOP in place from the start.
  Scenario reference(GetParam());
  int64_t ref_other = reference.AddAccount("other");
  History(reference, ref_other);
  reference.Vm("VM.STOP", "2026-01-12 06:00:00", 7);
  ASSERT_TRUE(RunAt(reference.conn(), "2026-01-16 00:10:00").ok());
  const std::string after = SortedRecordsCsv(late.db().url);
  EXPECT_EQ(after, SortedRecordsCsv(reference.db().url));
  EXPECT_EQ(maintain::CountDuplicateRecords(late.conn()), 0);

  // Only VM 7's running records of the 12th..14th changed; everything else
  // billed before is still there, unchanged.
  std::set<std::string> old_lines = Lines(before), new_lines = Lines(after);
  for (const auto& line : old_lines) {
    bool vm7_running_late_day = line.find("vm-7 running time") != std::string::npos &&
                                (line.find("2026-01-12 00:00:00") != std::string::npos ||
                                 line.find("2026-01-13 00:00:00") != std::string::npos ||
                                 line.find("2026-01-14 00:00:00") != std::string::npos);
    EXPECT_EQ(new_lines.count(line), vm7_running_late_day ? 0u : 1u) << line;
  }
  auto running = ReadRecords(late.conn(), usage_type::kRunningVm);
  int vm7_days = 0;
  for (const auto& r : running) {
    if (r.vm_instance_id == 7 && FormatUtc(r.start_date) >= "2026-01-12") {
      ++vm7_days;
      EXPECT_EQ(FormatUtc(r.start_date), "2026-01-12 00:00:00");
      EXPECT_EQ(r.raw_usage, 6.0);
    }
  }
  EXPECT_EQ(vm7_days, 1);
  CliResult list = RunCli({"--db", late.db().url, "restatements", "--format", "csv"});
  EXPECT_EQ(std::count(list.out.begin(), list.out.end(), '\n'), 4) << list.out;
  CliResult jobs = RunCli({"--db", late.db().url, "jobs", "--format", "csv"});
  EXPECT_NE(jobs.out.find("RESTATE,SUCCEEDED"), std::string::npos) << jobs.out;
}

TEST_P(LateEventsTest, EventsOlderThanTheRestatementLimitAreQuarantined) {
  Scenario s(GetParam());
  int64_t other = s.AddAccount("other");
  History(s, other);
  s.db().SetConfig("usage.restatement.max.days", "2");
  ASSERT_TRUE(RunAt(s.conn(), "2026-01-15 00:10:00").ok());
  const std::string before = SortedRecordsCsv(s.db().url);
  int64_t stop = s.Vm("VM.STOP", "2026-01-11 06:00:00", 7);
  auto summary = RunAt(s.conn(), "2026-01-15 00:20:00");
  EXPECT_TRUE(summary.ok());
  EXPECT_EQ(summary.late_refused, 1);
  EXPECT_EQ(SortedRecordsCsv(s.db().url), before);
  auto q = ingest::ListQuarantine(s.conn());
  ASSERT_EQ(q.size(), 1u);
  EXPECT_EQ(q[0].source_id, stop);
  EXPECT_NE(q[0].reason.find("usage.restatement.max.days"), std::string::npos) << q[0].reason;
}

INSTANTIATE_TEST_SUITE_P(Engines, LateEventsTest, ::testing::ValuesIn(TestEngines()));

}  // namespace
}  // namespace usaged::testing
