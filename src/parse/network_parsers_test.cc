// NETWORK and VPC records: one per helper row, told apart by the row's start.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <set>

#include "core/usage_types.h"
#include "parse/parsers.h"
#include "parse/record_key.h"
#include "support/scenario.h"

namespace usaged::testing {
namespace {

const Window kDay{ParseUtc("2026-01-13 00:00:00"), ParseUtc("2026-01-14 00:00:00")};

class NetworkParsersTest : public ::testing::TestWithParam<std::string> {
 protected:
  NetworkParsersTest() : s(GetParam()) {
    // The account as the event step copies it into cloud_usage.
    s.conn().Exec("INSERT INTO ${usage}.account (id, account_name, uuid, type, domain_id) SELECT "
                  "id, account_name, uuid, type, domain_id FROM ${cloud}.account");
  }

  void NetworkRow(const char* state, const char* created, const char* removed, int64_t zone = 3) {
    std::optional<Instant> end;
    if (removed) end = ParseUtc(removed);
    s.conn().Run("INSERT INTO ${usage}.usage_networks (network_offering_id, zone_id, network_id, "
                 "account_id, domain_id, state, created, removed) VALUES (40, ?, 900, ?, ?, ?, ?, "
                 "?)",
                 zone, s.account(), s.domain(), std::string(state), ParseUtc(created), end);
  }

  // The records of `parser` for 2026-01-13, ordered by row start.
  std::vector<UsageRecord> Parse(const parse::UsageParser& parser, HoursMode mode) {
    const auto accounts = store::AccountDirectory::Load(s.conn());
    parse::ParseScope scope;
    scope.window = kDay;
    scope.hours_mode = mode;
    scope.directory = &accounts;
    std::vector<UsageRecord> out;
    parser.Parse(s.conn(), scope, out);
    std::sort(out.begin(), out.end(), [](const UsageRecord& a, const UsageRecord& b) {
      return a.row_start < b.row_start;
    });
    return out;
  }

  static std::vector<std::string> RowStarts(const std::vector<UsageRecord>& records) {
    std::vector<std::string> out;
    for (const auto& r : records) {
      out.push_back(fmt::format("{} {}", FormatUtcMillis(*r.row_start), r.raw_usage));
    }
    return out;
  }

  Scenario s;
};

TEST_P(NetworkParsersTest, EveryRowIsARecordEvenWhenTheyAgreeOnEveryColumn) {
  // Updated at 06:00 without a change, shut down at 12:00, implemented again.
  NetworkRow("Implemented", "2026-01-13 00:00:00", "2026-01-13 06:00:00");
  NetworkRow("Implemented", "2026-01-13 06:00:00", "2026-01-13 12:00:00");
  NetworkRow("Shutdown", "2026-01-13 12:00:00", "2026-01-13 18:00:00", 4);
  NetworkRow("Implemented", "2026-01-13 18:00:00", nullptr);
  auto records = Parse(*parse::NewNetworkParser(), HoursMode::kExact);
  ASSERT_EQ(records.size(), 4u);
  EXPECT_EQ(RowStarts(records), (std::vector<std::string>{
                                    "2026-01-13 00:00:00.000 6", "2026-01-13 06:00:00.000 6",
                                    "2026-01-13 12:00:00.000 6", "2026-01-13 18:00:00.000 6"}));
  EXPECT_EQ(records[2].state, "Shutdown");
  EXPECT_EQ(records[2].zone_id, 4);  // the row's zone
  EXPECT_EQ(records[0].description, records[1].description);
  EXPECT_NE(records[0].usage_key, records[1].usage_key);
  EXPECT_NE(records[0].usage_key, records[3].usage_key);
}

TEST_P(NetworkParsersTest, RowsOfOneSecondGetDistinctKeysAndTheLongestKeepsItsStart) {
  // Created, then updated twice in one second (CloudStack leaves two
  // zero-length rows, Allocated and Implemented, beside the open one).
  NetworkRow("Allocated", "2026-01-13 10:00:00", "2026-01-13 10:00:00");
  NetworkRow("Implemented", "2026-01-13 10:00:00", "2026-01-13 10:00:00");
  NetworkRow("Implemented", "2026-01-13 10:00:00", nullptr);
  auto compat = Parse(*parse::NewNetworkParser(), HoursMode::kCloudStackFloat);
  ASSERT_EQ(compat.size(), 3u);
  std::set<std::string> keys;
  for (const auto& r : compat) keys.insert(r.usage_key);
  EXPECT_EQ(keys.size(), 3u);
  std::vector<std::string> implemented;
  for (const auto& r : compat) {
    if (r.state == "Implemented") {
      implemented.push_back(fmt::format("{} {}", FormatUtcMillis(*r.row_start), r.raw_usage));
    }
  }
  EXPECT_EQ(implemented, (std::vector<std::string>{"2026-01-13 10:00:00.000 14",
                                                   "2026-01-13 10:00:00.001 2.7777778655035945e-07"}));
  // Exact mode: the zero-length rows hold no time; the open row keeps its
  // start, so its key is the one compat mode gives it.
  auto exact = Parse(*parse::NewNetworkParser(), HoursMode::kExact);
  ASSERT_EQ(exact.size(), 1u);
  EXPECT_EQ(FormatUtcMillis(*exact[0].row_start), "2026-01-13 10:00:00.000");
  EXPECT_EQ(exact[0].raw_usage, 14.0);
}

TEST_P(NetworkParsersTest, AVpcDeletedAndCreatedAgainHasARecordPerRow) {
  for (const auto& [created, removed] :
       std::vector<std::pair<const char*, const char*>>{{"2026-01-13 01:00:00",
                                                         "2026-01-13 05:00:00"},
                                                        {"2026-01-13 09:00:00", nullptr}}) {
    std::optional<Instant> end;
    if (removed) end = ParseUtc(removed);
    s.conn().Run("INSERT INTO ${usage}.usage_vpc (vpc_id, zone_id, account_id, domain_id, state, "
                 "created, removed) VALUES (5, 3, ?, ?, 'Enabled', ?, ?)",
                 s.account(), s.domain(), ParseUtc(created), end);
  }
  auto records = Parse(*parse::NewVpcParser(), HoursMode::kExact);
  ASSERT_EQ(records.size(), 2u);
  EXPECT_EQ(RowStarts(records), (std::vector<std::string>{"2026-01-13 01:00:00.000 4",
                                                          "2026-01-13 09:00:00.000 15"}));
  EXPECT_EQ(records[0].description, "VPC usage for VPC ID: 5");
  EXPECT_FALSE(records[0].state.has_value());
  EXPECT_NE(records[0].usage_key, records[1].usage_key);
}

INSTANTIATE_TEST_SUITE_P(Engines, NetworkParsersTest, ::testing::ValuesIn(TestEngines()),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace usaged::testing
