// VM_SNAPSHOT (25) records from usage_vmsnapshot rows the Java server left
// behind when usaged takes its database over.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <algorithm>

#include "core/usage_types.h"
#include "support/scenario.h"

namespace usaged::testing {
namespace {

constexpr int64_t kGiB = 1024LL * 1024 * 1024;

class VmSnapshotParserTest : public ::testing::TestWithParam<std::string> {
 protected:
  VmSnapshotParserTest() : s(GetParam()) {}

  // A usage_vmsnapshot row as CloudStack's usage server leaves it: `processed`
  // is a flag holding the wall-clock time of the parse that superseded the
  // row (or NULL while nothing did).
  void JavaRow(int64_t vm, int64_t size, int64_t label, const char* created,
               const char* processed) {
    std::optional<Instant> flag;
    if (processed) flag = ParseUtc(processed);
    s.conn().Run(
        "INSERT INTO ${usage}.usage_vmsnapshot (volume_id, zone_id, account_id, domain_id, vm_id, "
        "disk_offering_id, size, created, processed, vm_snapshot_id) "
        "VALUES (?, 1, ?, ?, ?, NULL, ?, ?, ?, ?)",
        vm * 10, s.account(), s.domain(), vm, size, ParseUtc(created), flag, label);
  }

  // The Java server's last successful job billed the day before `next`.
  void JavaBilledUntil(const char* next) {
    Instant end = ParseUtc(next) - std::chrono::milliseconds(1);
    Instant start = ParseUtc(next) - std::chrono::hours(24);
    s.conn().Run(
        "INSERT INTO ${usage}.usage_job (host, pid, job_type, scheduled, start_millis, "
        "end_millis, exec_time, start_date, end_date, success, heartbeat) "
        "VALUES ('java', 7, 0, 0, ?, ?, 900, ?, ?, 1, ?)",
        ToEpochMillis(start), ToEpochMillis(end), start, end,
        ParseUtc(next) + std::chrono::minutes(10));
  }

  // The VM's type-25 records as "start end size label raw_usage".
  std::vector<std::string> Records(int64_t vm) {
    std::vector<std::string> out;
    for (const auto& r : ReadRecords(s.conn(), usage_type::kVmSnapshot)) {
      if (r.vm_instance_id != vm) continue;
      out.push_back(fmt::format("{} {} {} {} {}", FormatUtc(r.start_date), FormatUtc(r.end_date),
                                r.size.value_or(-1), r.usage_id.value_or(-1), r.raw_usage));
    }
    std::sort(out.begin(), out.end());
    return out;
  }

  Scenario s;
};

TEST_P(VmSnapshotParserTest, JavaRowsSupersededBeforeTheTakeoverEndAtTheirSuccessor) {
  s.db().SetConfig("usage.compat.float.hours", "true");
  JavaBilledUntil("2026-01-14 00:00:00");
  // VM 7: 1 GiB, then 2 GiB from 18:00; Java's parse of 2026-01-13 ran at 00:10:23.
  JavaRow(7, kGiB, 900, "2026-01-13 06:00:00", "2026-01-14 00:10:23");
  JavaRow(7, 2 * kGiB, 901, "2026-01-13 18:00:00", nullptr);
  // VM 8: 1 GiB ended by a snapshot leaving a chain size of 0.
  JavaRow(8, kGiB, 920, "2026-01-13 06:00:00", "2026-01-14 00:10:23");
  JavaRow(8, 0, 921, "2026-01-13 12:00:00", "2026-01-14 00:10:23");
  // VM 9: a chain size of 0 with nothing before it, which Java bills at size 0.
  JavaRow(9, 0, 930, "2026-01-13 08:00:00", nullptr);
  ASSERT_TRUE(RunAt(s.conn(), "2026-01-15 00:10:00").ok());

  // Java bills only the open rows on 2026-01-14; a superseded row ended at
  // its successor's start gives no 1 ms record at the window start.
  EXPECT_EQ(Records(7), std::vector<std::string>{
                            "2026-01-14 00:00:00 2026-01-14 23:59:59 2147483648 901 24"});
  EXPECT_EQ(Records(8), std::vector<std::string>{});
  EXPECT_EQ(Records(9),
            std::vector<std::string>{"2026-01-14 00:00:00 2026-01-14 23:59:59 0 930 24"});
}

INSTANTIATE_TEST_SUITE_P(Engines, VmSnapshotParserTest, ::testing::ValuesIn(TestEngines()),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace usaged::testing
