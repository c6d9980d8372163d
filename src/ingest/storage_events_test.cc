// Helper rows and refusals of the storage, VM snapshot and backup handlers.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <algorithm>

#include "ingest/quarantine.h"
#include "support/scenario.h"

namespace usaged::testing {
namespace {

constexpr int64_t kGiB = 1024LL * 1024 * 1024;

class StorageEventsTest : public ::testing::TestWithParam<std::string> {
 protected:
  StorageEventsTest() : s(GetParam()) {}

  sim::EventSpec Spec(const std::string& type, const std::string& when, int64_t resource) {
    sim::EventSpec e;
    e.type = type;
    e.account_id = s.account();
    e.created = ParseUtc(when);
    e.resource_id = resource;
    e.resource_name = "r" + std::to_string(resource);
    return e;
  }

  std::vector<std::string> Reasons() {
    std::vector<std::string> out;
    for (const auto& q : ingest::ListQuarantine(s.conn())) {
      out.push_back(q.event_type + ": " + q.reason);
    }
    std::sort(out.begin(), out.end());
    return out;
  }

  Scenario s;
};

TEST_P(StorageEventsTest, VmSnapshotRowsFollowTheChainSize) {
  auto create = Spec("VMSNAPSHOT.CREATE", "2026-01-13 06:00:00", 7);
  create.template_id = 70;
  create.offering_id = 3;
  create.size = kGiB;
  create.details = {{"vmSnapshotId", "900"}};
  s.Event(create);
  auto remove = create;
  remove.type = "VMSNAPSHOT.DELETE";
  remove.created = ParseUtc("2026-01-13 18:00:00");
  remove.size = kGiB / 2;
  s.Event(remove);
  RunAt(s.conn(), "2026-01-14 00:10:00");
  auto& q = s.conn().Prepare(
      "SELECT volume_id, vm_id, disk_offering_id, size, vm_snapshot_id, created, processed "
      "FROM ${usage}.usage_vmsnapshot ORDER BY created");
  std::vector<std::string> rows;
  while (q.Next()) {
    rows.push_back(fmt::format("{} {} {} {} {} {} {}", q.Int(0), q.Int(1), q.Int(2), q.Int(3),
                               q.Int(4), FormatUtc(q.Time(5)),
                               q.OptTime(6) ? FormatUtc(*q.OptTime(6)) : "open"));
  }
  q.Reset();
  EXPECT_EQ(rows, (std::vector<std::string>{
                      "70 7 3 1073741824 900 2026-01-13 06:00:00 2026-01-13 18:00:00",
                      "70 7 3 536870912 900 2026-01-13 18:00:00 open"}));
}

// usage_vmsnapshot rows of one VM as "volume size label created end".
std::vector<std::string> ChainRows(Scenario& s, int64_t vm) {
  auto& q = s.conn().Prepare(
      "SELECT volume_id, size, vm_snapshot_id, created, processed FROM ${usage}.usage_vmsnapshot "
      "WHERE vm_id = ? ORDER BY created");
  q.Bind(vm);
  std::vector<std::string> rows;
  while (q.Next()) {
    rows.push_back(fmt::format("{} {} {} {} {}", q.Int(0), q.Int(1), q.Int(2),
                               FormatUtc(q.Time(3)),
                               q.OptTime(4) ? FormatUtc(*q.OptTime(4)) : "open"));
  }
  q.Reset();
  return rows;
}

TEST_P(StorageEventsTest, VmSnapshotCreateOfChainSizeZeroStillAddsARow) {
  auto create = Spec("VMSNAPSHOT.CREATE", "2026-01-13 06:00:00", 7);
  create.template_id = 70;
  create.size = kGiB;
  create.details = {{"vmSnapshotId", "900"}};
  s.Event(create);
  // Ends the 1 GiB chain: a row that only names the ended part, closed at once.
  auto emptied = create;
  emptied.created = ParseUtc("2026-01-13 12:00:00");
  emptied.size = 0;
  emptied.details = {{"vmSnapshotId", "901"}};
  s.Event(emptied);
  // VM 9: a chain size of 0 (here: no size at all) with nothing before it
  // stays open until the next snapshot.
  auto first = Spec("VMSNAPSHOT.CREATE", "2026-01-13 06:00:00", 9);
  first.template_id = 90;
  first.details = {{"vmSnapshotId", "910"}};
  s.Event(first);
  auto grown = first;
  grown.created = ParseUtc("2026-01-13 14:00:00");
  grown.size = kGiB;
  grown.details = {{"vmSnapshotId", "911"}};
  s.Event(grown);
  ASSERT_TRUE(RunAt(s.conn(), "2026-01-14 00:10:00").ok());
  EXPECT_EQ(ChainRows(s, 7), (std::vector<std::string>{
                                 "70 1073741824 900 2026-01-13 06:00:00 2026-01-13 12:00:00",
                                 "70 0 901 2026-01-13 12:00:00 2026-01-13 12:00:00"}));
  EXPECT_EQ(ChainRows(s, 9), (std::vector<std::string>{
                                 "90 0 910 2026-01-13 06:00:00 2026-01-13 14:00:00",
                                 "90 1073741824 911 2026-01-13 14:00:00 open"}));
  EXPECT_TRUE(Reasons().empty());
}

TEST_P(StorageEventsTest, VmSnapshotDeleteThatLeavesNothingOpensNothing) {
  auto create = Spec("VMSNAPSHOT.CREATE", "2026-01-13 06:00:00", 7);
  create.template_id = 70;
  create.size = kGiB;
  create.details = {{"vmSnapshotId", "900"}};
  s.Event(create);
  auto remove = create;
  remove.type = "VMSNAPSHOT.DELETE";
  remove.created = ParseUtc("2026-01-13 18:00:00");
  remove.size = 0;
  s.Event(remove);
  ASSERT_TRUE(RunAt(s.conn(), "2026-01-14 00:10:00").ok());
  EXPECT_EQ(ChainRows(s, 7), (std::vector<std::string>{
                                 "70 1073741824 900 2026-01-13 06:00:00 2026-01-13 18:00:00"}));
}

TEST_P(StorageEventsTest, VmSnapshotNegativeChainSizeIsQuarantined) {
  // MariaDB's usage_event.size is unsigned: only SQLite can hold the value.
  if (GetParam() != "sqlite") GTEST_SKIP() << "size is unsigned on " << GetParam();
  auto create = Spec("VMSNAPSHOT.CREATE", "2026-01-13 06:00:00", 7);
  create.template_id = 70;
  create.size = -5;
  create.details = {{"vmSnapshotId", "900"}};
  s.Event(create);
  ASSERT_TRUE(RunAt(s.conn(), "2026-01-14 00:10:00").ok());
  EXPECT_EQ(Reasons(), std::vector<std::string>{"VMSNAPSHOT.CREATE: negative size -5"});
  EXPECT_TRUE(ChainRows(s, 7).empty());
}

TEST_P(StorageEventsTest, BackupMetricEndsTheOldSizeAndStartsTheNew) {
  auto assign = Spec("BACKUP.OFFERING.ASSIGN", "2026-01-13 00:00:00", 7);
  assign.offering_id = 5;
  s.Event(assign);
  auto metric = assign;
  metric.type = "BACKUP.USAGE.METRIC";
  metric.created = ParseUtc("2026-01-13 10:00:00");
  metric.size = kGiB;
  metric.virtual_size = 4 * kGiB;
  s.Event(metric);
  RunAt(s.conn(), "2026-01-14 00:10:00");
  EXPECT_EQ(QueryCount(s.conn(), "SELECT count(*) FROM ${usage}.usage_backup WHERE removed = "
                                 "'2026-01-13 10:00:00' AND size = 0"),
            1);
  EXPECT_EQ(QueryCount(s.conn(), "SELECT count(*) FROM ${usage}.usage_backup WHERE removed IS "
                                 "NULL AND size = 1073741824 AND protected_size = 4294967296 AND "
                                 "backup_offering_id = 5"),
            1);
}

TEST_P(StorageEventsTest, UnmatchedEventsAreQuarantinedWithTheirReason) {
  s.Event(Spec("TEMPLATE.DELETE", "2026-01-13 01:00:00", 301));
  auto no_size = Spec("SNAPSHOT.CREATE", "2026-01-13 02:00:00", 501);
  s.Event(no_size);
  auto off = Spec("VMSNAPSHOT.OFF_PRIMARY", "2026-01-13 03:00:00", 7);
  s.Event(off);
  auto bad_id = Spec("VMSNAPSHOT.CREATE", "2026-01-13 05:00:00", 7);
  bad_id.template_id = 70;
  bad_id.details = {{"vmSnapshotId", "abc"}};
  s.Event(bad_id);
  auto summary = RunAt(s.conn(), "2026-01-14 00:10:00");
  EXPECT_TRUE(summary.ok());
  EXPECT_EQ(Reasons(), (std::vector<std::string>{
                           "SNAPSHOT.CREATE: SNAPSHOT.CREATE without size",
                           "TEMPLATE.DELETE: no open storage interval to close",
                           "VMSNAPSHOT.CREATE: detail vmSnapshotId 'abc' is not a number",
                           "VMSNAPSHOT.OFF_PRIMARY: no open VM snapshot on primary to close"}));
  EXPECT_EQ(QueryCount(s.conn(), "SELECT count(*) FROM ${usage}.cloud_usage"), 0);
}

INSTANTIATE_TEST_SUITE_P(Engines, StorageEventsTest, ::testing::ValuesIn(TestEngines()));

}  // namespace
}  // namespace usaged::testing
