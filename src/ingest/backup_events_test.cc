// usage_backup rows the backup handler keeps, and what it refuses.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <algorithm>

#include "ingest/quarantine.h"
#include "support/scenario.h"

namespace usaged::testing {
namespace {

class BackupEventsTest : public ::testing::TestWithParam<std::string> {
 protected:
  BackupEventsTest() : s(GetParam()) {}

  // An event of VM 7; offering 0 leaves offering_id NULL.
  void Event(const std::string& type, const std::string& when, int64_t offering,
             std::optional<int64_t> size = std::nullopt) {
    sim::EventSpec e;
    e.type = type;
    e.account_id = s.account();
    e.created = ParseUtc(when);
    e.resource_id = 7;
    e.resource_name = "Backup-web-7";
    if (offering != 0) e.offering_id = offering;
    e.size = size;
    if (size) e.virtual_size = *size * 10;
    s.Event(e);
  }

  // usage_backup as "offering size/protected start - end", by offering and start.
  std::vector<std::string> Rows() {
    auto& q = s.conn().Prepare(
        "SELECT backup_offering_id, size, protected_size, created, removed "
        "FROM ${usage}.usage_backup ORDER BY backup_offering_id, created, id");
    std::vector<std::string> rows;
    while (q.Next()) {
      rows.push_back(fmt::format("{} {}/{} {} - {}", q.Int(0), q.Int(1), q.Int(2),
                                 FormatUtc(q.Time(3)),
                                 q.OptTime(4) ? FormatUtc(*q.OptTime(4)) : "open"));
    }
    q.Reset();
    return rows;
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

TEST_P(BackupEventsTest, BackupsDeletedEndsOnlyItsOffering) {
  Event("BACKUP.OFFERING.ASSIGN", "2026-01-13 08:00:00", 5);
  // Removed from offering 5 while its backups stay (no usage event), then
  // assigned to offering 6: offering 5 goes on until its backups are gone.
  Event("BACKUP.OFFERING.ASSIGN", "2026-01-13 12:00:00", 6);
  Event("BACKUP.OFFERING.BACKUPS.DEL", "2026-01-13 18:00:00", 5);
  RunAt(s.conn(), "2026-01-14 00:10:00");
  EXPECT_EQ(Rows(), (std::vector<std::string>{
                        "5 0/0 2026-01-13 08:00:00 - 2026-01-13 18:00:00",
                        "6 0/0 2026-01-13 12:00:00 - open"}));
  EXPECT_TRUE(Reasons().empty());
}

TEST_P(BackupEventsTest, LegacyRemoveEndsEveryAssignmentOfTheVm) {
  Event("BACKUP.OFFERING.ASSIGN", "2026-01-13 08:00:00", 5);
  Event("BACKUP.OFFERING.ASSIGN", "2026-01-13 12:00:00", 6);
  Event("BACKUP.OFFERING.REMOVE", "2026-01-13 18:00:00", 6);
  Event("BACKUP.OFFERING.REMOVE", "2026-01-13 20:00:00", 6);
  RunAt(s.conn(), "2026-01-14 00:10:00");
  EXPECT_EQ(Rows(), (std::vector<std::string>{
                        "5 0/0 2026-01-13 08:00:00 - 2026-01-13 18:00:00",
                        "6 0/0 2026-01-13 12:00:00 - 2026-01-13 18:00:00"}));
  EXPECT_EQ(Reasons(), (std::vector<std::string>{
                           "BACKUP.OFFERING.REMOVE: no open backup offering assignment to close"}));
}

TEST_P(BackupEventsTest, ARepeatedAssignmentIsHealedNotOpenedTwice) {
  Event("BACKUP.OFFERING.ASSIGN", "2026-01-13 08:00:00", 5);
  Event("BACKUP.OFFERING.ASSIGN", "2026-01-13 09:00:00", 5);
  RunAt(s.conn(), "2026-01-14 00:10:00");
  EXPECT_EQ(Rows(), (std::vector<std::string>{"5 0/0 2026-01-13 08:00:00 - open"}));
  EXPECT_EQ(QueryCount(s.conn(), "SELECT count(*) FROM ${usage}.usaged_healing WHERE kind = "
                                 "'event_healed'"),
            1);
}

TEST_P(BackupEventsTest, MetricsSplitTheRowExceptAtItsOwnStart) {
  Event("BACKUP.OFFERING.ASSIGN", "2026-01-13 08:00:00", 5);
  Event("BACKUP.USAGE.METRIC", "2026-01-13 08:00:00", 5, 100);
  Event("BACKUP.USAGE.METRIC", "2026-01-13 10:00:00", 5, 100);  // unchanged
  Event("BACKUP.USAGE.METRIC", "2026-01-13 12:00:00", 5, 300);
  RunAt(s.conn(), "2026-01-14 00:10:00");
  EXPECT_EQ(Rows(), (std::vector<std::string>{
                        "5 100/1000 2026-01-13 08:00:00 - 2026-01-13 12:00:00",
                        "5 300/3000 2026-01-13 12:00:00 - open"}));
}

TEST_P(BackupEventsTest, MetricsAndDeletionsWithoutAnOpenAssignmentChangeNothing) {
  Event("BACKUP.OFFERING.ASSIGN", "2026-01-13 08:00:00", 5);
  Event("BACKUP.OFFERING.BACKUPS.DEL", "2026-01-13 10:00:00", 5);
  // The sync task's metric that raced with the deletion, and a second .DEL.
  Event("BACKUP.USAGE.METRIC", "2026-01-13 10:00:05", 5, 100);
  Event("BACKUP.OFFERING.BACKUPS.DEL", "2026-01-13 11:00:00", 5);
  // Another offering's metric does not touch offering 5's row.
  Event("BACKUP.USAGE.METRIC", "2026-01-13 11:00:00", 6, 100);
  RunAt(s.conn(), "2026-01-14 00:10:00");
  EXPECT_EQ(Rows(), (std::vector<std::string>{
                        "5 0/0 2026-01-13 08:00:00 - 2026-01-13 10:00:00"}));
  EXPECT_TRUE(Reasons().empty());
}

TEST_P(BackupEventsTest, EventsWithoutVmOrOfferingAreQuarantined) {
  Event("BACKUP.OFFERING.ASSIGN", "2026-01-13 08:00:00", 0);
  Event("BACKUP.OFFERING.BACKUPS.DEL", "2026-01-13 09:00:00", 0);
  sim::EventSpec no_vm;
  no_vm.type = "BACKUP.USAGE.METRIC";
  no_vm.account_id = s.account();
  no_vm.created = ParseUtc("2026-01-13 10:00:00");
  no_vm.offering_id = 5;
  s.Event(no_vm);
  RunAt(s.conn(), "2026-01-14 00:10:00");
  EXPECT_TRUE(Rows().empty());
  EXPECT_EQ(Reasons(), (std::vector<std::string>{
                           "BACKUP.OFFERING.ASSIGN: no offering_id (the backup offering)",
                           "BACKUP.OFFERING.BACKUPS.DEL: no offering_id (the backup offering)",
                           "BACKUP.USAGE.METRIC: no resource_id (the VM)"}));
}

INSTANTIATE_TEST_SUITE_P(Engines, BackupEventsTest, ::testing::ValuesIn(TestEngines()));

}  // namespace
}  // namespace usaged::testing
