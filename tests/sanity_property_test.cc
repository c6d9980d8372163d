// The sanity check on clean stores: any generated cloud in which every usage
// type occurs, billed with daily or hourly windows, with exact or compat
// hours, on either engine, gives no finding.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <set>
#include <tuple>

#include "job/unit_rebuild.h"
#include "maintain/record_checks.h"
#include "maintain/sanity.h"
#include "sim/random_cloud.h"
#include "support/test_env.h"

namespace usaged::testing {
namespace {

using Case = std::tuple<std::string, uint32_t, int, bool>;  // engine, seed, range, compat

class SanityPropertyTest : public ::testing::TestWithParam<Case> {};

TEST_P(SanityPropertyTest, AGeneratedCloudHasNoFindings) {
  const auto& [engine, seed, range_minutes, compat] = GetParam();
  auto db = NewTestStore(engine);
  sim::RandomCloudSpec spec;
  spec.seed = seed;
  spec.accounts = 3;
  spec.vms_per_account = 2;
  spec.days = 3;
  spec.start = ParseUtc("2026-01-01 00:00:00");
  spec.every_usage_type = true;
  sim::WriteRandomCloud(*db->conn, spec);
  db->SetConfig("usage.stats.job.aggregation.range", std::to_string(range_minutes));
  db->SetConfig("usage.compat.float.hours", compat ? "true" : "false");

  // One job a day, the statistics sampled before each, so that traffic and
  // bucket sizes land in several windows.
  for (int day = 1; day <= spec.days; ++day) {
    sim::WriteRandomStatistics(*db->conn, spec, day);
    const Instant now = spec.start + std::chrono::hours(24 * day) + std::chrono::minutes(10);
    ASSERT_EQ(RunAt(*db->conn, FormatUtc(now)).units_failed, 0) << "day " << day;
  }
  const std::vector<std::string> quarantined =
      QueryColumn(*db->conn, "SELECT reason FROM ${usage}.usaged_quarantine");
  EXPECT_TRUE(quarantined.empty()) << fmt::format("{}", fmt::join(quarantined, "\n"));

  // Every usage type a parser bills occurs.
  std::set<std::string> expected_types, billed_types;
  for (int type : job::ParsedUsageTypes()) expected_types.insert(std::to_string(type));
  for (const auto& type :
       QueryColumn(*db->conn, "SELECT DISTINCT usage_type FROM ${usage}.cloud_usage")) {
    billed_types.insert(type);
  }
  EXPECT_EQ(billed_types, expected_types);

  maintain::SanityOptions options;
  options.start = spec.start;
  options.end = spec.start + std::chrono::hours(24 * spec.days);
  ManualClock clock(*options.end + std::chrono::hours(1));
  const maintain::SanityReport report = maintain::RunSanityCheck(*db->conn, clock, options);
  for (const auto& f : report.findings) {
    ADD_FAILURE() << f.kind << " type " << f.usage_type.value_or(0) << " account "
                  << f.account_id.value_or(0) << " resource " << f.usage_id.value_or(0) << ": "
                  << f.detail;
  }
  EXPECT_EQ(maintain::CountDuplicateRecords(*db->conn), 0);
}

std::string CaseName(const ::testing::TestParamInfo<Case>& info) {
  const auto& [engine, seed, range_minutes, compat] = info.param;
  return fmt::format("{}_seed{}_{}_{}", engine, seed, range_minutes == 60 ? "hourly" : "daily",
                     compat ? "compat" : "exact");
}

INSTANTIATE_TEST_SUITE_P(Clouds, SanityPropertyTest,
                         ::testing::Combine(::testing::ValuesIn(TestEngines()),
                                            ::testing::Values(3u, 17u, 2026u),
                                            ::testing::Values(1440, 60),
                                            ::testing::Bool()),
                         CaseName);

}  // namespace
}  // namespace usaged::testing
