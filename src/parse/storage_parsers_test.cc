// VOLUME (6), IP_ADDRESS (3) and NETWORK_OFFERING (13).
#include <gtest/gtest.h>

#include "core/usage_types.h"
#include "support/scenario.h"

namespace usaged::testing {
namespace {

constexpr int64_t kGiB = 1024LL * 1024 * 1024;
double H(int64_t ms) { return static_cast<double>(ms) / 3600000.0; }

class ResourceParserTest : public ::testing::TestWithParam<std::string> {
 protected:
  ResourceParserTest() : s(GetParam()) {}

  std::vector<UsageRecord> Day(int type, const std::string& day) {
    std::vector<UsageRecord> out;
    for (auto& r : ReadRecords(s.conn(), type)) {
      if (FormatUtc(r.start_date) == day + " 00:00:00") out.push_back(r);
    }
    return out;
  }

  Scenario s;
};

TEST_P(ResourceParserTest, VolumeLifetimeAndColumns) {
  s.Volume("VOLUME.CREATE", "2026-01-13 06:00:00", 501, 20 * kGiB, 3, std::nullopt);
  s.Volume("VOLUME.CREATE", "2026-01-13 06:00:00", 502, 8 * kGiB, 4, 200);
  s.Volume("VOLUME.DELETE", "2026-01-14 09:15:00", 502, 8 * kGiB, 4, 200);
  RunAt(s.conn(), "2026-01-16 00:10:00");
  auto day13 = Day(usage_type::kVolume, "2026-01-13");
  ASSERT_EQ(day13.size(), 2u);
  const UsageRecord& data = day13[0].usage_id == 501 ? day13[0] : day13[1];
  const UsageRecord& root = day13[0].usage_id == 501 ? day13[1] : day13[0];
  EXPECT_EQ(data.raw_usage, 18.0);
  EXPECT_EQ(data.description, "Volume Id: 501 usage time (DiskOffering: 3)");
  EXPECT_EQ(data.offering_id, 3);
  EXPECT_FALSE(data.template_id.has_value());
  EXPECT_EQ(data.size, 20 * kGiB);
  EXPECT_FALSE(data.vm_instance_id.has_value());
  EXPECT_FALSE(data.type.has_value());
  EXPECT_EQ(root.description, "Volume Id: 502 usage time (Template: 200)");
  EXPECT_EQ(root.template_id, 200);
  auto day14 = Day(usage_type::kVolume, "2026-01-14");
  ASSERT_EQ(day14.size(), 2u);
  for (const auto& r : day14) {
    EXPECT_EQ(r.raw_usage, r.usage_id == 501 ? 24.0 : H(9 * 3600000 + 15 * 60000));
  }
  EXPECT_EQ(Day(usage_type::kVolume, "2026-01-15").size(), 1u);
}

TEST_P(ResourceParserTest, VolumeResizedMidWindowGivesOneRecordPerSize) {
  s.Volume("VOLUME.CREATE", "2026-01-13 00:00:00", 501, 50 * kGiB);
  s.Volume("VOLUME.RESIZE", "2026-01-14 15:00:00", 501, 100 * kGiB);
  RunAt(s.conn(), "2026-01-15 00:10:00");
  auto day14 = Day(usage_type::kVolume, "2026-01-14");
  ASSERT_EQ(day14.size(), 2u);
  std::map<int64_t, UsageRecord> by_size;
  for (const auto& r : day14) by_size[*r.size] = r;
  EXPECT_EQ(by_size[50 * kGiB].raw_usage, 15.0);
  EXPECT_EQ(by_size[50 * kGiB].usage_display, "15 Hrs");
  EXPECT_EQ(by_size[100 * kGiB].raw_usage, 9.0);
  EXPECT_NE(by_size[50 * kGiB].usage_key, by_size[100 * kGiB].usage_key);
}

TEST_P(ResourceParserTest, IpAddressAssignedAndReleased) {
  s.Ip("NET.IPASSIGN", "2026-01-13 00:00:00", 301, "198.51.100.7", /*source_nat=*/true);
  s.Ip("NET.IPASSIGN", "2026-01-14 08:00:00", 302, "198.51.100.8");
  s.Ip("NET.IPRELEASE", "2026-01-14 20:00:00", 302, "198.51.100.8");
  RunAt(s.conn(), "2026-01-15 00:10:00");
  auto day14 = Day(usage_type::kIpAddress, "2026-01-14");
  ASSERT_EQ(day14.size(), 2u);
  const UsageRecord& nat = day14[0].usage_id == 301 ? day14[0] : day14[1];
  const UsageRecord& other = day14[0].usage_id == 301 ? day14[1] : day14[0];
  EXPECT_EQ(nat.raw_usage, 24.0);
  EXPECT_EQ(nat.description, "IPAddress: 198.51.100.7");
  EXPECT_EQ(nat.type, "SourceNat");
  EXPECT_EQ(nat.size, 0);
  EXPECT_FALSE(nat.is_hidden);
  EXPECT_EQ(other.raw_usage, 12.0);
  EXPECT_EQ(other.type, "");
}

TEST_P(ResourceParserTest, SystemAndHiddenIpAddresses) {
  sim::EventSpec e;
  e.type = "NET.IPASSIGN";
  e.account_id = s.account();
  e.created = ParseUtc("2026-01-14 00:00:00");
  e.resource_id = 303;
  e.resource_name = "198.51.100.9";
  e.size = 0;
  e.template_id = 1;  // CloudStack marks system IPs with a non-zero template_id
  e.details = {{"hidden", "true"}};
  s.Event(e);
  RunAt(s.conn(), "2026-01-15 00:10:00");
  auto day14 = Day(usage_type::kIpAddress, "2026-01-14");
  ASSERT_EQ(day14.size(), 1u);
  EXPECT_EQ(day14[0].size, 1);
  EXPECT_TRUE(day14[0].is_hidden);
}

TEST_P(ResourceParserTest, NetworkOfferingStoresTheDefaultFlagInUsageId) {
  s.NetworkOffering("NETWORK.OFFERING.ASSIGN", "2026-01-13 00:00:37", 456, 39, 9001, true);
  s.NetworkOffering("NETWORK.OFFERING.ASSIGN", "2026-01-13 00:00:37", 456, 40, 9002, false);
  s.NetworkOffering("NETWORK.OFFERING.REMOVE", "2026-01-14 06:00:00", 456, 40, 9002, false);
  RunAt(s.conn(), "2026-01-15 00:10:00");
  auto day13 = Day(usage_type::kNetworkOffering, "2026-01-13");
  ASSERT_EQ(day13.size(), 2u);
  for (const auto& r : day13) {
    EXPECT_EQ(r.raw_usage, H(86400000 - 37000));
    EXPECT_EQ(r.usage_display, "23.989722 Hrs");
    EXPECT_EQ(r.vm_instance_id, 456);
    EXPECT_FALSE(r.vm_name.has_value());
    EXPECT_FALSE(r.template_id.has_value());
    EXPECT_FALSE(r.size.has_value());
    EXPECT_EQ(r.usage_id, r.offering_id == 39 ? 1 : 0);
    EXPECT_EQ(r.description,
              "Network offering:" + std::to_string(*r.offering_id) + " for Vm : 456 usage time");
  }
  auto day14 = Day(usage_type::kNetworkOffering, "2026-01-14");
  ASSERT_EQ(day14.size(), 2u);
  for (const auto& r : day14) EXPECT_EQ(r.raw_usage, r.offering_id == 39 ? 24.0 : 6.0);
}

TEST_P(ResourceParserTest, NetworkOfferingAssignedTwiceIsBilledOnce) {
  // The Java server opens a second helper row and bills 48 hours a day.
  s.NetworkOffering("NETWORK.OFFERING.ASSIGN", "2026-01-13 00:00:00", 456, 39, 9001, true);
  s.NetworkOffering("NETWORK.OFFERING.ASSIGN", "2026-01-13 10:00:00", 456, 39, 9001, true);
  RunAt(s.conn(), "2026-01-15 00:10:00");
  auto day14 = Day(usage_type::kNetworkOffering, "2026-01-14");
  ASSERT_EQ(day14.size(), 1u);
  EXPECT_EQ(day14[0].raw_usage, 24.0);
  EXPECT_EQ(QueryCount(s.conn(), "SELECT count(*) FROM ${usage}.usage_network_offering"), 1);
}

TEST_P(ResourceParserTest, RecordsAreSplitByShardWithoutLoss) {
  s.db().SetConfig("usage.account.shards", "3");
  std::vector<int64_t> accounts;
  for (int i = 0; i < 7; ++i) accounts.push_back(s.AddAccount("a" + std::to_string(i)));
  for (size_t i = 0; i < accounts.size(); ++i) {
    s.Vm("VM.CREATE", "2026-01-14 00:00:00", 100 + static_cast<int64_t>(i), 10, accounts[i]);
  }
  auto summary = RunAt(s.conn(), "2026-01-15 00:10:00");
  EXPECT_EQ(summary.units_done, 3);
  auto day14 = Day(usage_type::kAllocatedVm, "2026-01-14");
  ASSERT_EQ(day14.size(), accounts.size());
  std::set<int64_t> billed;
  for (const auto& r : day14) billed.insert(r.account_id);
  EXPECT_EQ(billed, std::set<int64_t>(accounts.begin(), accounts.end()));
}

INSTANTIATE_TEST_SUITE_P(Engines, ResourceParserTest, ::testing::ValuesIn(TestEngines()));

}  // namespace
}  // namespace usaged::testing
