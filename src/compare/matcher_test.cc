#include "compare/matcher.h"

#include <gtest/gtest.h>

#include "core/usage_types.h"

namespace usaged::compare {
namespace {

const Window kDay{ParseUtc("2026-01-14 00:00:00"), ParseUtc("2026-01-15 00:00:00")};

// Evidence given by the test.
class FixedEvidence final : public Evidence {
 public:
  int jobs = 1;
  std::vector<HelperRow> java_rows, usaged_rows;
  std::string note;
  int JavaJobsCovering(const Window&) override { return jobs; }
  std::vector<HelperRow> JavaHelperRows(const UsageRecord&, const Window&) override {
    return java_rows;
  }
  std::vector<HelperRow> UsagedHelperRows(const UsageRecord&, const Window&) override {
    return usaged_rows;
  }
  std::string UsagedNote(const UsageRecord&, const Window&) override { return note; }
};

UsageRecord Offering(int64_t vm, double hours, std::string display) {
  UsageRecord r;
  r.usage_type = usage_type::kNetworkOffering;
  r.zone_id = 1;
  r.account_id = 5;
  r.domain_id = 1;
  r.raw_usage = hours;
  r.usage_display = std::move(display);
  r.vm_instance_id = vm;
  r.offering_id = 39;
  r.usage_id = 1;
  r.description = "Network offering:39 for Vm : " + std::to_string(vm) + " usage time";
  r.start_date = kDay.start;
  r.end_date = kDay.display_end();
  return r;
}

WindowResult Match(std::vector<JavaRow> java, std::vector<UsageRecord> usaged, Evidence& e,
                   HoursMode mode = HoursMode::kExact) {
  return MatchWindow(kDay, mode, std::move(java), std::move(usaged), e);
}

TEST(MatcherTest, EqualRecordsMatchAndCopiesAreDuplicatesOfAReprocessedWindow) {
  FixedEvidence e;
  e.jobs = 3;
  auto r = Offering(456, 24, "24 Hrs");
  auto result = Match({{10, r}, {11, r}, {12, r}}, {r}, e);
  EXPECT_EQ(result.matched[usage_type::kNetworkOffering].first, 1);
  ASSERT_EQ(result.differences.size(), 1u);
  const Difference& d = result.differences[0];
  EXPECT_EQ(d.cls, "java_duplicate");
  EXPECT_EQ(d.cause, "reprocessed_window");
  EXPECT_EQ(d.java_ids, (std::vector<int64_t>{11, 12}));
  EXPECT_EQ(d.java_records, 2);
  EXPECT_EQ(d.java_raw, 48);
  EXPECT_TRUE(d.explained());
}

TEST(MatcherTest, CopiesWithOneJobAreExplainedByOverlappingHelperRowsOrNamedAsSuch) {
  FixedEvidence e;
  e.java_rows = {{7, kDay.start, std::nullopt}, {8, kDay.start, std::nullopt}};
  auto r = Offering(456, 24, "24 Hrs");
  auto result = Match({{10, r}, {11, r}}, {r}, e);
  ASSERT_EQ(result.differences.size(), 1u);
  EXPECT_EQ(result.differences[0].cause, "duplicate_helper_rows");
  EXPECT_EQ(result.differences[0].helper_ids, (std::vector<int64_t>{7, 8}));

  e.java_rows.clear();
  result = Match({{10, r}, {11, r}}, {r}, e);
  EXPECT_EQ(result.differences[0].cls, "java_duplicate");
  EXPECT_EQ(result.differences[0].cause, "identical_copy");
}

TEST(MatcherTest, FloatHoursAreRoundingInExactModeAndUnexplainedInFloatMode) {
  FixedEvidence e;
  auto java = Offering(456, 0.5000002980232239, "0.5 Hrs");
  auto ours = Offering(456, 0.5, "0.5 Hrs");
  auto result = Match({{10, java}}, {ours}, e);
  ASSERT_EQ(result.differences.size(), 1u);
  EXPECT_EQ(result.differences[0].cls, "float_rounding");
  EXPECT_TRUE(result.differences[0].explained());

  result = Match({{10, java}}, {ours}, e, HoursMode::kCloudStackFloat);
  EXPECT_EQ(result.differences[0].cls, "unexplained");
  EXPECT_EQ(result.differences[0].kind, "float_rounding");
}

TEST(MatcherTest, AOneMillisecondJavaRecordIsABoundaryRecord) {
  FixedEvidence e;
  auto java = Offering(456, 2.7777778655035945e-07, "0 Hrs");
  auto result = Match({{10, java}}, {}, e);
  ASSERT_EQ(result.differences.size(), 1u);
  EXPECT_EQ(result.differences[0].cls, "boundary_record");
  EXPECT_EQ(result.differences[0].java_ids, std::vector<int64_t>{10});
}

TEST(MatcherTest, AMultipleOfUsagedsHoursIsADuplicateOfHelperRows) {
  FixedEvidence e;
  e.java_rows = {{7, kDay.start - std::chrono::hours(5), std::nullopt},
                 {8, kDay.start - std::chrono::hours(2), std::nullopt}};
  auto result = Match({{10, Offering(456, 48, "48 Hrs")}}, {Offering(456, 24, "24 Hrs")}, e);
  ASSERT_EQ(result.differences.size(), 1u);
  const Difference& d = result.differences[0];
  EXPECT_EQ(d.cls, "java_duplicate");
  EXPECT_EQ(d.cause, "duplicate_helper_rows");
  EXPECT_EQ(d.helper_ids, (std::vector<int64_t>{7, 8}));
  EXPECT_EQ(d.java_raw, 48);
  EXPECT_EQ(d.usaged_raw, 24);
}

TEST(MatcherTest, OtherColumnsThatDifferAreUnexplainedAndNamed) {
  FixedEvidence e;
  auto java = Offering(456, 24, "24 Hrs");
  java.description = "something else";
  auto result = Match({{10, java}}, {Offering(456, 24, "24 Hrs")}, e);
  ASSERT_EQ(result.differences.size(), 1u);
  const Difference& d = result.differences[0];
  EXPECT_EQ(d.cls, "unexplained");
  EXPECT_EQ(d.kind, "different_columns");
  EXPECT_NE(d.detail.find("description: Java 'something else'"), std::string::npos) << d.detail;
}

TEST(MatcherTest, MissingRecordsAreExplainedOnlyByEvidence) {
  FixedEvidence e;
  e.jobs = 0;
  auto result = Match({}, {Offering(456, 24, "24 Hrs")}, e);
  EXPECT_EQ(result.differences[0].cls, "missing_in_java");
  EXPECT_EQ(result.differences[0].cause, "window_not_billed_by_java");

  e.jobs = 1;
  result = Match({}, {Offering(456, 24, "24 Hrs")}, e);
  EXPECT_EQ(result.differences[0].cls, "unexplained");
  EXPECT_EQ(result.differences[0].kind, "missing_in_java");

  result = Match({{10, Offering(456, 24, "24 Hrs")}}, {}, e);
  EXPECT_EQ(result.differences[0].cls, "unexplained");
  EXPECT_EQ(result.differences[0].kind, "missing_in_usaged");

  e.note = "usaged quarantined event 9 (NETWORK.OFFERING.REMOVE): no open row";
  result = Match({{10, Offering(456, 24, "24 Hrs")}}, {}, e);
  EXPECT_EQ(result.differences[0].cls, "missing_in_usaged");
  EXPECT_EQ(result.differences[0].detail, e.note);
}

TEST(MatcherTest, AJavaWindowOffTheBoundaryIsUnaligned) {
  FixedEvidence e;
  auto java = Offering(456, 23.98972222222222, "23.989722 Hrs");
  java.start_date = kDay.start + std::chrono::seconds(37);
  auto result = Match({{10, java}}, {Offering(456, 23.98972222222222, "23.989722 Hrs")}, e);
  ASSERT_EQ(result.differences.size(), 1u);
  EXPECT_EQ(result.differences[0].cls, "unaligned_window");
  EXPECT_TRUE(result.differences[0].explained());
}

TEST(MatcherTest, AVpnUserEndedAtTheJavaJobsClockIsTheRemovalTime) {
  FixedEvidence e;
  UsageRecord java = Offering(61, 13.5, "13.5 Hrs");
  java.usage_type = usage_type::kVpnUsers;
  java.usage_id = 61;
  java.vm_instance_id.reset();
  java.offering_id.reset();
  java.description = "VPN User: alice, Id: 61 usage time";
  UsageRecord ours = java;
  ours.raw_usage = 3;
  ours.usage_display = "3 Hrs";
  const Instant added = kDay.start + std::chrono::hours(9);
  e.java_rows = {{4, added, kDay.start + std::chrono::minutes(22 * 60 + 30)}};
  e.usaged_rows = {{8, added, kDay.start + std::chrono::hours(12)}};
  auto result = Match({{10, java}}, {ours}, e);
  ASSERT_EQ(result.differences.size(), 1u);
  EXPECT_EQ(result.differences[0].cls, "vpn_removal_time");
  EXPECT_EQ(result.differences[0].helper_ids, std::vector<int64_t>{4});
  // The same rows: nothing explains the hours.
  e.java_rows = e.usaged_rows;
  result = Match({{10, java}}, {ours}, e);
  EXPECT_EQ(result.differences[0].cls, "unexplained");
}

UsageRecord Backup(int64_t size, double hours) {
  UsageRecord r = Offering(7, hours, "");
  r.usage_type = usage_type::kBackup;
  r.usage_id = r.vm_instance_id;
  r.offering_id = 5;
  r.size = size;
  r.virtual_size = 2 * size;
  r.description = "Backup usage VM ID: 7, backup offering: 5";
  return r;
}

TEST(MatcherTest, ExactModeBackupPartsPerSizeAreTheJavaAssignmentSplitAtItsMetrics) {
  FixedEvidence e;
  // Java: one record at the last metric's size for the assignment's 10 h
  // (float hours, + 1 ms); exact mode: 4 h at the first size, 6 h at the last.
  auto java = Backup(2048, 10.000000953674316);
  auto result = Match({{10, java}}, {Backup(1024, 4), Backup(2048, 6)}, e);
  ASSERT_EQ(result.differences.size(), 1u);
  EXPECT_EQ(result.differences[0].cls, "split_at_metric");
  EXPECT_EQ(result.differences[0].usaged_records, 2);
  EXPECT_EQ(result.differences[0].java_ids, std::vector<int64_t>{10});
  // Not when the hours differ too, and never in compat mode.
  result = Match({{10, Backup(2048, 12)}}, {Backup(1024, 4), Backup(2048, 6)}, e);
  EXPECT_EQ(result.differences[0].cls, "unexplained");
  result =
      Match({{10, java}}, {Backup(1024, 4), Backup(2048, 6)}, e, HoursMode::kCloudStackFloat);
  EXPECT_EQ(result.differences[0].cls, "unexplained");
}

TEST(MatcherTest, AmountsAreNeverFloatRoundingAndADisplayAloneIsAColumnDifference) {
  FixedEvidence e;
  UsageRecord bytes = Offering(7, 1000, "1000 bytes");
  bytes.usage_type = usage_type::kBucket;
  UsageRecord more = bytes;
  more.raw_usage = 1000.000001;
  auto result = Match({{10, more}}, {bytes}, e);
  EXPECT_EQ(result.differences[0].cls, "unexplained");
  EXPECT_EQ(result.differences[0].kind, "different_quantity");

  UsageRecord shown = bytes;
  shown.usage_display = "1001 bytes";
  result = Match({{10, shown}}, {bytes}, e);
  EXPECT_EQ(result.differences[0].kind, "different_columns");
  EXPECT_NE(result.differences[0].detail.find("usage_display"), std::string::npos);
}

}  // namespace
}  // namespace usaged::compare
