// The duplicate-billing report this project started from: 50 VMs get a network
// offering at 2026-01-13 00:00:37, daily aggregation, a job every day at 00:10
// until 2026-05-10, with failing units in some jobs. The Java server re-billed
// the whole history every day (duplicates growing by one a day) and wrote
// failed jobs whose start was after their end.
#include <gtest/gtest.h>

#include "core/fault_injector.h"
#include "core/usage_types.h"
#include "maintain/record_checks.h"
#include "support/scenario.h"

namespace usaged::testing {
namespace {

constexpr int kVms = 50;

class SeedRegressionTest : public ::testing::TestWithParam<std::string> {
 protected:
  void TearDown() override { FaultInjector::Global().Configure(""); }
};

TEST_P(SeedRegressionTest, OneRecordPerVmPerDayAndNoInvertedJobs) {
  Scenario s(GetParam());
  std::vector<int64_t> accounts = {s.account()};
  for (int i = 1; i < 10; ++i) accounts.push_back(s.AddAccount("tenant" + std::to_string(i)));
  for (int vm = 0; vm < kVms; ++vm) {
    sim::EventSpec e;
    e.type = "NETWORK.OFFERING.ASSIGN";
    e.account_id = accounts[vm % accounts.size()];
    e.created = ParseUtc("2026-01-13 00:00:37");
    e.resource_id = 400 + vm;
    e.resource_name = std::to_string(9000 + vm);
    e.offering_id = 39;
    e.size = 1;
    s.Event(e);
  }

  // Days whose job gets a failing unit (the 2nd unit it starts).
  const std::set<std::string> failing_days = {"2026-01-20", "2026-02-14", "2026-03-31",
                                              "2026-05-06"};
  int64_t failed_job = 0;
  std::string failed_day;
  int days = 0;
  for (Instant day = ParseUtc("2026-01-14"); day <= ParseUtc("2026-05-10");
       day += std::chrono::hours(24), ++days) {
    std::string date = FormatUtc(day).substr(0, 10);
    bool inject = failing_days.count(date) > 0;
    FaultInjector::Global().Configure(inject ? "fail_unit=2" : "");
    auto summary = RunAt(s.conn(), date + " 00:10:00");
    ASSERT_TRUE(summary.job_id.has_value()) << date;
    if (inject) {
      EXPECT_EQ(summary.units_failed, 1) << date;
      EXPECT_FALSE(summary.ok());
      failed_job = *summary.job_id;
      failed_day = date;
      // Units done before and after the failing one stay done.
      EXPECT_EQ(QueryCount(s.conn(), "SELECT count(*) FROM ${usage}.usaged_unit WHERE job_id = " +
                                         std::to_string(failed_job)),
                3);
    } else {
      EXPECT_EQ(summary.units_failed, 0) << date;
    }
    FaultInjector::Global().Configure("");
  }
  EXPECT_EQ(days, 117);

  // Exactly one type-13 record per VM per day, 2026-01-13 .. 2026-05-09.
  auto records = ReadRecords(s.conn(), usage_type::kNetworkOffering);
  EXPECT_EQ(records.size(), static_cast<size_t>(kVms * 117));
  std::map<std::pair<int64_t, std::string>, int> per_vm_day;
  for (const auto& r : records) ++per_vm_day[{*r.vm_instance_id, FormatUtc(r.start_date)}];
  EXPECT_EQ(per_vm_day.size(), static_cast<size_t>(kVms * 117));
  for (const auto& [key, n] : per_vm_day) EXPECT_EQ(n, 1);
  for (const auto& r : records) {
    if (FormatUtc(r.start_date) == "2026-01-13 00:00:00") {
      EXPECT_EQ(r.raw_usage, (86400000.0 - 37000.0) / 3600000.0);
    } else {
      EXPECT_EQ(r.raw_usage, 24.0);
    }
    EXPECT_EQ(r.usage_id, 1);  // default NIC flag
    EXPECT_EQ(r.offering_id, 39);
  }

  // The seed's own duplicate query, and the same check over every type.
  EXPECT_EQ(maintain::CountNetworkOfferingDuplicates(s.conn()), 0);
  EXPECT_EQ(maintain::CountDuplicateRecords(s.conn()), 0);

  // No job row of either table has its start after its end.
  EXPECT_EQ(QueryCount(s.conn(),
                       "SELECT count(*) FROM ${usage}.usage_job WHERE start_millis > end_millis "
                       "OR start_date > end_date"),
            0);
  EXPECT_EQ(QueryCount(s.conn(), "SELECT count(*) FROM ${usage}.usaged_job "
                                 "WHERE range_start > range_end"),
            0);
  EXPECT_EQ(QueryCount(s.conn(), "SELECT count(*) FROM ${usage}.usage_job WHERE success = 0"),
            static_cast<int64_t>(failing_days.size()));
  EXPECT_EQ(QueryCount(s.conn(), "SELECT count(*) FROM ${usage}.usage_job"), 117);

  // The last failed job's three completed units were not redone by the next
  // job: they still carry the failed job's id, and only the failed unit was
  // taken over by the following job.
  EXPECT_EQ(failed_day, "2026-05-06");
  EXPECT_EQ(QueryCount(s.conn(), "SELECT count(*) FROM ${usage}.usaged_unit WHERE job_id = " +
                                     std::to_string(failed_job)),
            3);
  EXPECT_EQ(QueryCount(s.conn(), "SELECT count(*) FROM ${usage}.usaged_unit u JOIN "
                                 "${usage}.usaged_window w ON w.id = u.window_id WHERE "
                                 "w.start_date = '2026-05-05 00:00:00' AND u.job_id = " +
                                     std::to_string(failed_job + 1)),
            1);
  // Every unit is done now and the checkpoint is at the last due day.
  EXPECT_EQ(QueryCount(s.conn(), "SELECT count(*) FROM ${usage}.usaged_unit WHERE state <> 'done'"),
            0);
}

INSTANTIATE_TEST_SUITE_P(Engines, SeedRegressionTest, ::testing::ValuesIn(TestEngines()));

}  // namespace
}  // namespace usaged::testing
