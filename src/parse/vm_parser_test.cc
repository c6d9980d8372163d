#include <gtest/gtest.h>

#include "core/usage_types.h"
#include "ingest/quarantine.h"
#include "support/scenario.h"

namespace usaged::testing {
namespace {

constexpr int kRunning = usage_type::kRunningVm;
constexpr int kAllocated = usage_type::kAllocatedVm;

double H(int64_t ms) { return static_cast<double>(ms) / 3600000.0; }

class VmParserTest : public ::testing::TestWithParam<std::string> {
 protected:
  VmParserTest() : s(GetParam()) {}

  // Records of `type` for the day starting at `day` ("YYYY-MM-DD").
  std::vector<UsageRecord> Day(int type, const std::string& day) {
    std::vector<UsageRecord> out;
    for (auto& r : ReadRecords(s.conn(), type)) {
      if (FormatUtc(r.start_date) == day + " 00:00:00") out.push_back(r);
    }
    return out;
  }

  Scenario s;
};

TEST_P(VmParserTest, ResourceCreatedBeforeTheWindowIsBilledTheWholeDay) {
  s.Vm("VM.CREATE", "2026-01-10 08:00:00", 7);
  s.Vm("VM.START", "2026-01-10 08:00:05", 7);
  RunAt(s.conn(), "2026-01-15 00:10:00");
  auto running = Day(kRunning, "2026-01-14");
  ASSERT_EQ(running.size(), 1u);
  const UsageRecord& r = running[0];
  EXPECT_EQ(r.raw_usage, 24.0);
  EXPECT_EQ(r.usage_display, "24 Hrs");
  EXPECT_EQ(r.description, "vm-7 running time (ServiceOffering: 10) (Template: 200)");
  EXPECT_EQ(r.vm_instance_id, 7);
  EXPECT_EQ(r.usage_id, 7);
  EXPECT_EQ(r.vm_name, "vm-7");
  EXPECT_EQ(r.offering_id, 10);
  EXPECT_EQ(r.template_id, 200);
  EXPECT_EQ(r.type, "KVM");
  EXPECT_EQ(r.account_id, s.account());
  EXPECT_EQ(r.domain_id, s.domain());
  EXPECT_EQ(r.zone_id, 1);
  EXPECT_FALSE(r.size.has_value());
  EXPECT_FALSE(r.cpu_cores.has_value());
  EXPECT_EQ(FormatUtc(r.end_date), "2026-01-14 23:59:59");
  auto allocated = Day(kAllocated, "2026-01-14");
  ASSERT_EQ(allocated.size(), 1u);
  EXPECT_EQ(allocated[0].description, "vm-7 allocated (ServiceOffering: 10) (Template: 200)");
  EXPECT_EQ(allocated[0].raw_usage, 24.0);
}

TEST_P(VmParserTest, ResourceCreatedInsideTheWindowIsClippedAtItsStart) {
  s.Vm("VM.CREATE", "2026-01-14 06:00:00", 7);
  s.Vm("VM.START", "2026-01-14 06:00:00", 7);
  RunAt(s.conn(), "2026-01-15 00:10:00");
  auto running = Day(kRunning, "2026-01-14");
  ASSERT_EQ(running.size(), 1u);
  EXPECT_EQ(running[0].raw_usage, 18.0);
  EXPECT_EQ(running[0].usage_display, "18 Hrs");
}

TEST_P(VmParserTest, ResourceCreatedAfterTheWindowIsNotBilledInIt) {
  s.Vm("VM.CREATE", "2026-01-13 06:00:00", 8);  // makes 2026-01-13 the first window
  s.Vm("VM.CREATE", "2026-01-15 10:00:00", 7);
  s.Vm("VM.START", "2026-01-15 10:00:00", 7);
  RunAt(s.conn(), "2026-01-16 00:10:00");
  for (const auto& r : ReadRecords(s.conn())) {
    if (r.vm_instance_id == 7) {
      EXPECT_EQ(FormatUtc(r.start_date), "2026-01-15 00:00:00");
    }
  }
  ASSERT_EQ(Day(kRunning, "2026-01-15").size(), 1u);
  EXPECT_EQ(Day(kRunning, "2026-01-15")[0].raw_usage, 14.0);
  EXPECT_TRUE(Day(kRunning, "2026-01-14").empty());
}

TEST_P(VmParserTest, ResourceDeletedInsideTheWindowIsClippedAtItsEnd) {
  s.Vm("VM.CREATE", "2026-01-13 00:00:00", 7);
  s.Vm("VM.START", "2026-01-13 00:00:00", 7);
  s.Vm("VM.STOP", "2026-01-14 18:30:00", 7);
  s.Vm("VM.DESTROY", "2026-01-14 19:00:00", 7);
  RunAt(s.conn(), "2026-01-16 00:10:00");
  ASSERT_EQ(Day(kRunning, "2026-01-14").size(), 1u);
  EXPECT_EQ(Day(kRunning, "2026-01-14")[0].raw_usage, 18.5);
  EXPECT_EQ(Day(kRunning, "2026-01-14")[0].usage_display, "18.5 Hrs");
  EXPECT_EQ(Day(kAllocated, "2026-01-14")[0].raw_usage, 19.0);
  EXPECT_TRUE(Day(kRunning, "2026-01-15").empty());
  EXPECT_TRUE(Day(kAllocated, "2026-01-15").empty());
}

TEST_P(VmParserTest, ResourceSpanningManyWindowsGetsOneRecordPerWindow) {
  s.Vm("VM.CREATE", "2026-01-10 12:00:00", 7);
  s.Vm("VM.START", "2026-01-10 12:00:00", 7);
  s.Vm("VM.STOP", "2026-01-20 12:00:00", 7);
  RunAt(s.conn(), "2026-01-22 00:10:00");
  auto all = ReadRecords(s.conn(), kRunning);
  ASSERT_EQ(all.size(), 11u);
  EXPECT_EQ(all.front().raw_usage, 12.0);
  for (size_t i = 1; i + 1 < all.size(); ++i) EXPECT_EQ(all[i].raw_usage, 24.0);
  EXPECT_EQ(all.back().raw_usage, 12.0);
  EXPECT_EQ(FormatUtc(all.back().start_date), "2026-01-20 00:00:00");
}

TEST_P(VmParserTest, CreatedAndDeletedInTheSameWindow) {
  s.Vm("VM.CREATE", "2026-01-14 10:00:00", 7);
  s.Vm("VM.START", "2026-01-14 10:00:00", 7);
  s.Vm("VM.STOP", "2026-01-14 10:30:00", 7);
  s.Vm("VM.DESTROY", "2026-01-14 10:45:00", 7);
  RunAt(s.conn(), "2026-01-15 00:10:00");
  ASSERT_EQ(Day(kRunning, "2026-01-14").size(), 1u);
  EXPECT_EQ(Day(kRunning, "2026-01-14")[0].raw_usage, 0.5);
  EXPECT_EQ(Day(kRunning, "2026-01-14")[0].usage_display, "0.5 Hrs");
  EXPECT_EQ(Day(kAllocated, "2026-01-14")[0].raw_usage, 0.75);
}

TEST_P(VmParserTest, StoppedAndRestartedWithinAWindowSumsIntoOneRecord) {
  s.Vm("VM.CREATE", "2026-01-14 01:00:00", 7);
  s.Vm("VM.START", "2026-01-14 01:00:00", 7);
  s.Vm("VM.STOP", "2026-01-14 05:00:00", 7);
  s.Vm("VM.START", "2026-01-14 07:00:00", 7);
  s.Vm("VM.STOP", "2026-01-14 09:20:00", 7);
  RunAt(s.conn(), "2026-01-15 00:10:00");
  auto running = Day(kRunning, "2026-01-14");
  ASSERT_EQ(running.size(), 1u);
  EXPECT_EQ(running[0].raw_usage, H(4 * 3600000 + 2 * 3600000 + 20 * 60000));
  EXPECT_EQ(running[0].usage_display, "6.333333 Hrs");
}

TEST_P(VmParserTest, UpgradeMidWindowSplitsByServiceOffering) {
  s.Vm("VM.CREATE", "2026-01-13 00:00:00", 7, 10);
  s.Vm("VM.START", "2026-01-13 00:00:00", 7, 10);
  s.Vm("VM.STOP", "2026-01-14 12:00:00", 7, 10);
  s.Vm("VM.UPGRADE", "2026-01-14 12:05:00", 7, 11);
  s.Vm("VM.START", "2026-01-14 12:10:00", 7, 11);
  RunAt(s.conn(), "2026-01-15 00:10:00");
  auto running = Day(kRunning, "2026-01-14");
  ASSERT_EQ(running.size(), 2u);
  std::map<int64_t, double> by_offering;
  for (const auto& r : running) by_offering[*r.offering_id] = r.raw_usage;
  EXPECT_EQ(by_offering[10], 12.0);
  EXPECT_EQ(by_offering[11], H(11 * 3600000 + 50 * 60000));
  std::map<int64_t, double> allocated;
  for (const auto& r : Day(kAllocated, "2026-01-14")) allocated[*r.offering_id] = r.raw_usage;
  EXPECT_EQ(allocated[10], H(12 * 3600000 + 5 * 60000));
  EXPECT_EQ(allocated[11], H(11 * 3600000 + 55 * 60000));
}

TEST_P(VmParserTest, StartWithANewOfferingMovesTheAllocation) {
  s.Vm("VM.CREATE", "2026-01-13 00:00:00", 7, 10);
  s.Vm("VM.START", "2026-01-14 06:00:00", 7, 12);
  RunAt(s.conn(), "2026-01-15 00:10:00");
  std::map<int64_t, double> allocated;
  for (const auto& r : Day(kAllocated, "2026-01-14")) allocated[*r.offering_id] = r.raw_usage;
  EXPECT_EQ(allocated[10], 6.0);
  EXPECT_EQ(allocated[12], 18.0);
}

TEST_P(VmParserTest, StartWithANewOfferingKeepsTheNameOfTheAllocation) {
  // Renamed while stopped: the allocation keeps the name of the VM.CREATE
  // that opened it, as CloudStack's in-place rewrite does; the run takes the
  // name of its VM.START.
  s.Vm("VM.CREATE", "2026-01-13 00:00:00", 7, 10);
  sim::EventSpec start;
  start.type = "VM.START";
  start.account_id = s.account();
  start.created = ParseUtc("2026-01-14 06:00:00");
  start.resource_id = 7;
  start.resource_name = "renamed";
  start.offering_id = 12;
  start.template_id = 200;
  start.resource_type = "KVM";
  start.details = {{"cpuNumber", "2"}};
  s.Event(start);
  RunAt(s.conn(), "2026-01-15 00:10:00");
  std::map<int64_t, UsageRecord> allocated;
  for (const auto& r : Day(kAllocated, "2026-01-14")) allocated[*r.offering_id] = r;
  ASSERT_EQ(allocated.size(), 2u);
  EXPECT_EQ(allocated[10].raw_usage, 6.0);
  EXPECT_EQ(allocated[12].raw_usage, 18.0);
  EXPECT_EQ(allocated[12].vm_name, "vm-7");
  EXPECT_EQ(allocated[12].description, "vm-7 allocated (ServiceOffering: 12) (Template: 200)");
  EXPECT_EQ(allocated[12].cpu_cores, 2);
  auto running = Day(kRunning, "2026-01-14");
  ASSERT_EQ(running.size(), 1u);
  EXPECT_EQ(running[0].vm_name, "renamed");
}

TEST_P(VmParserTest, ChangesInTheSecondARowBeganApplyFromItsStart) {
  // Created and started with another offering in one second, then scaled
  // in the second the run began: no row is opened twice, nothing is refused.
  s.Vm("VM.CREATE", "2026-01-14 06:00:00", 7, 10);
  s.Vm("VM.START", "2026-01-14 06:00:00", 7, 11);
  s.Vm("VM.DYNAMIC.SCALE", "2026-01-14 06:00:00", 7, 12);
  RunAt(s.conn(), "2026-01-15 00:10:00");
  EXPECT_TRUE(ingest::ListQuarantine(s.conn()).empty());
  auto allocated = Day(kAllocated, "2026-01-14");
  ASSERT_EQ(allocated.size(), 1u);
  EXPECT_EQ(allocated[0].offering_id, 12);
  EXPECT_EQ(allocated[0].raw_usage, 18.0);
  auto running = Day(kRunning, "2026-01-14");
  ASSERT_EQ(running.size(), 1u);
  EXPECT_EQ(running[0].offering_id, 12);
  EXPECT_EQ(running[0].raw_usage, 18.0);
}

TEST_P(VmParserTest, AnUpgradeInTheSecondOfAStoredAllocationRewritesIt) {
  s.Vm("VM.CREATE", "2026-01-13 23:00:00", 7, 10);
  ASSERT_TRUE(RunAt(s.conn(), "2026-01-14 00:10:00").ok());
  // Committed late, in the second the stored allocation began.
  s.Vm("VM.UPGRADE", "2026-01-13 23:00:00", 7, 11);
  ASSERT_TRUE(RunAt(s.conn(), "2026-01-15 00:10:00").ok());
  EXPECT_TRUE(ingest::ListQuarantine(s.conn()).empty());
  for (const char* day : {"2026-01-13", "2026-01-14"}) {
    auto allocated = Day(kAllocated, day);
    ASSERT_EQ(allocated.size(), 1u) << day;
    EXPECT_EQ(allocated[0].offering_id, 11) << day;
  }
  EXPECT_EQ(Day(kAllocated, "2026-01-13")[0].raw_usage, 1.0);
  EXPECT_EQ(Day(kAllocated, "2026-01-14")[0].raw_usage, 24.0);
}

TEST_P(VmParserTest, DynamicScaleRecordsCpuAndMemory) {
  sim::EventSpec create;
  create.type = "VM.CREATE";
  create.account_id = s.account();
  create.created = ParseUtc("2026-01-14 00:00:00");
  create.resource_id = 9;
  create.resource_name = "custom";
  create.offering_id = 20;
  create.template_id = 201;
  create.resource_type = "VMware";
  create.details = {{"cpuNumber", "2"}, {"cpuSpeed", "1500"}, {"memory", "2048"}};
  s.Event(create);
  sim::EventSpec start = create;
  start.type = "VM.START";
  s.Event(start);
  sim::EventSpec scale = create;
  scale.type = "VM.DYNAMIC.SCALE";
  scale.created = ParseUtc("2026-01-14 16:00:00");
  scale.details = {{"cpuNumber", "4"}, {"cpuSpeed", "1500"}, {"memory", "8192"}};
  s.Event(scale);
  RunAt(s.conn(), "2026-01-15 00:10:00");
  auto running = Day(kRunning, "2026-01-14");
  ASSERT_EQ(running.size(), 2u);
  std::map<int64_t, UsageRecord> by_cores;
  for (const auto& r : running) by_cores[*r.cpu_cores] = r;
  EXPECT_EQ(by_cores[2].raw_usage, 16.0);
  EXPECT_EQ(by_cores[2].memory, 2048);
  EXPECT_EQ(by_cores[2].cpu_speed, 1500);
  EXPECT_EQ(by_cores[4].raw_usage, 8.0);
  EXPECT_EQ(by_cores[4].memory, 8192);
  EXPECT_EQ(by_cores[4].type, "VMware");
  EXPECT_EQ(by_cores[4].template_id, 201);
}

TEST_P(VmParserTest, CloudStackFloatModeReproducesJavaValues) {
  s.db().SetConfig("usage.compat.float.hours", "true");
  s.Vm("VM.CREATE", "2026-01-14 12:00:00", 7);
  s.Vm("VM.START", "2026-01-14 12:00:00", 7);
  s.Vm("VM.STOP", "2026-01-14 12:30:00", 7);
  RunAt(s.conn(), "2026-01-15 00:10:00");
  auto running = Day(kRunning, "2026-01-14");
  ASSERT_EQ(running.size(), 1u);
  float expected = 1800001.0f;
  expected = expected / 1000.0f / 60.0f / 60.0f;
  EXPECT_EQ(running[0].raw_usage, static_cast<double>(expected));
  EXPECT_NE(running[0].raw_usage, 0.5);
  EXPECT_EQ(running[0].usage_display, "0.5 Hrs");
  // Allocated from 12:00 to the end of the day: 43,200,000 ms (+1 ms - 1 ms).
  EXPECT_EQ(Day(kAllocated, "2026-01-14")[0].raw_usage, 12.0);
}

INSTANTIATE_TEST_SUITE_P(Engines, VmParserTest, ::testing::ValuesIn(TestEngines()));

}  // namespace
}  // namespace usaged::testing
