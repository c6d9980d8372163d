// The healing step: duplicate and out-of-order events, and helper rows left
// behind by the Java server, are repaired where the meaning is clear, logged
// with the ids involved, and billed correctly.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "support/scenario.h"

namespace usaged::testing {
namespace {

constexpr int64_t kGiB = 1024LL * 1024 * 1024;

class HealingTest : public ::testing::TestWithParam<std::string> {
 protected:
  // usaged_healing rows as "kind table row_id related_id", ordered.
  static std::vector<std::string> Healing(Scenario& s) {
    return QueryColumn(s.conn(),
                       "SELECT " +
                           std::string(s.conn().engine() == store::Engine::kSqlite
                                           ? "kind || ' ' || table_name || ' ' || row_id || ' ' "
                                             "|| COALESCE(related_id, '-')"
                                           : "CONCAT_WS(' ', kind, table_name, row_id, "
                                             "COALESCE(related_id, '-'))") +
                           " FROM ${usage}.usaged_healing ORDER BY id");
  }

  // raw_usage of the VM's records of `type`, by window.
  static std::vector<std::string> Hours(Scenario& s, int type, int64_t vm) {
    std::vector<std::string> hours;
    for (const auto& r : ReadRecords(s.conn(), type)) {
      if (r.vm_instance_id == vm) hours.push_back(fmt::format("{}", r.raw_usage));
    }
    return hours;
  }
  static std::vector<std::string> RunningHours(Scenario& s, int64_t vm) { return Hours(s, 1, vm); }
};

// Writes one small history; with `copies`, every event is written twice (a
// second row with a new id, as a retried management-server transaction does).
void WriteHistory(Scenario& s, bool copies, std::vector<std::pair<int64_t, int64_t>>* pairs) {
  auto twice = [&](auto write) {
    int64_t original = write();
    if (copies) pairs->push_back({write(), original});
  };
  twice([&] { return s.Vm("VM.CREATE", "2026-01-14 01:00:00", 7); });
  twice([&] { return s.Vm("VM.START", "2026-01-14 01:00:00", 7); });
  twice([&] { return s.Vm("VM.STOP", "2026-01-14 09:00:00", 7); });
  twice([&] { return s.Volume("VOLUME.CREATE", "2026-01-14 01:00:00", 501, 20 * kGiB); });
  twice([&] { return s.Volume("VOLUME.DELETE", "2026-01-14 13:00:00", 501, 20 * kGiB); });
  twice([&] { return s.Ip("NET.IPASSIGN", "2026-01-14 02:00:00", 31, "10.1.1.31"); });
  twice([&] { return s.Ip("NET.IPRELEASE", "2026-01-14 06:00:00", 31, "10.1.1.31"); });
  twice([&] { return s.NetworkOffering("NETWORK.OFFERING.ASSIGN", "2026-01-14 01:00:00", 7, 4, 70, true); });
  twice([&] { return s.NetworkOffering("NETWORK.OFFERING.REMOVE", "2026-01-14 12:00:00", 7, 4, 70, true); });
}

TEST_P(HealingTest, DuplicateEventsOfEveryKindAreBilledOnceAndLoggedWithTheirIds) {
  Scenario clean(GetParam());
  WriteHistory(clean, false, nullptr);
  ASSERT_TRUE(RunAt(clean.conn(), "2026-01-16 00:10:00").ok());

  Scenario doubled(GetParam());
  std::vector<std::pair<int64_t, int64_t>> pairs;  // (copy, original)
  WriteHistory(doubled, true, &pairs);
  auto summary = RunAt(doubled.conn(), "2026-01-16 00:10:00");
  ASSERT_TRUE(summary.ok());

  EXPECT_EQ(SortedRecordsCsv(doubled.db().url), SortedRecordsCsv(clean.db().url));
  ASSERT_GT(ReadRecords(doubled.conn()).size(), 5u);
  std::vector<std::string> expected;
  for (auto [copy, original] : pairs) {
    expected.push_back(fmt::format("duplicate_event usage_event {} {}", copy, original));
  }
  auto healed = Healing(doubled);
  std::sort(healed.begin(), healed.end());
  std::sort(expected.begin(), expected.end());
  EXPECT_EQ(healed, expected);
  // The copies stay visible to the operator in the quarantine.
  EXPECT_EQ(QueryCount(doubled.conn(), "SELECT COUNT(*) FROM ${usage}.usaged_quarantine"),
            static_cast<int64_t>(pairs.size()));
}

TEST_P(HealingTest, ARestartIsBilledTheSameWhicheverOfStopAndStartWasWrittenFirst) {
  std::vector<std::string> hours;
  for (bool start_first : {false, true}) {
    Scenario s(GetParam());
    s.Vm("VM.CREATE", "2026-01-14 00:00:00", 7);
    s.Vm("VM.START", "2026-01-14 01:00:00", 7);
    int64_t second_id = 0;
    if (start_first) {
      s.Vm("VM.START", "2026-01-14 05:00:00", 7);
      second_id = s.Vm("VM.STOP", "2026-01-14 05:00:00", 7);
    } else {
      s.Vm("VM.STOP", "2026-01-14 05:00:00", 7);
      s.Vm("VM.START", "2026-01-14 05:00:00", 7);
    }
    s.Vm("VM.STOP", "2026-01-14 09:00:00", 7);
    ASSERT_TRUE(RunAt(s.conn(), "2026-01-16 00:10:00").ok());
    EXPECT_EQ(RunningHours(s, 7), std::vector<std::string>{"8"}) << start_first;
    if (start_first) {
      auto healing = Healing(s);
      ASSERT_EQ(healing.size(), 2u);  // the START that closed a running row, and the STOP
      EXPECT_EQ(healing[1], fmt::format("event_healed usage_event {} -", second_id));
    }
    EXPECT_EQ(QueryCount(s.conn(), "SELECT COUNT(*) FROM ${usage}.usaged_quarantine"), 0);
  }
}

TEST_P(HealingTest, AStopWrittenBeforeItsStartInTheSameSecondIsAppliedAfterIt) {
  Scenario s(GetParam());
  s.Vm("VM.CREATE", "2026-01-14 00:00:00", 7);
  s.Vm("VM.START", "2026-01-14 01:00:00", 7);
  s.Vm("VM.STOP", "2026-01-14 02:00:00", 7);
  // Started and stopped within one second, the STOP committed first: without
  // healing the STOP is refused and the VM counts as running for ever.
  int64_t stop = s.Vm("VM.STOP", "2026-01-14 05:00:00", 7);
  s.Vm("VM.START", "2026-01-14 05:00:00", 7);
  ASSERT_TRUE(RunAt(s.conn(), "2026-01-16 00:10:00").ok());
  EXPECT_EQ(RunningHours(s, 7), std::vector<std::string>{"1"});
  EXPECT_EQ(Healing(s), std::vector<std::string>{
                            fmt::format("event_healed usage_event {} -", stop)});
  EXPECT_EQ(QueryCount(s.conn(), "SELECT COUNT(*) FROM ${usage}.usaged_quarantine"), 0);
}

// Rows as a Java usage server leaves them: the same VM running twice at once,
// the same network offering assigned twice, a VM running after destruction.
void WriteLegacyRows(Scenario& s) {
  auto vm_row = [&](int64_t type, int64_t vm, const char* start, const char* end) {
    std::optional<Instant> end_time;
    if (end) end_time = ParseUtc(end);
    s.conn().Run("INSERT INTO ${usage}.usage_vm_instance (usage_type, zone_id, account_id, "
                 "vm_instance_id, vm_name, service_offering_id, template_id, hypervisor_type, "
                 "start_date, end_date) VALUES (?, 1, ?, ?, 'legacy', 10, 200, 'KVM', ?, ?)",
                 type, s.account(), vm, ParseUtc(start), end_time);
  };
  vm_row(2, 8, "2026-01-10 00:00:00", nullptr);
  vm_row(1, 8, "2026-01-14 01:00:00", nullptr);
  vm_row(1, 8, "2026-01-14 03:00:00", nullptr);  // opened again without a stop
  vm_row(2, 9, "2026-01-10 00:00:00", "2026-01-14 10:00:00");
  vm_row(1, 9, "2026-01-10 00:00:00", nullptr);  // destroyed, never stopped
  for (int copy = 0; copy < 2; ++copy) {
    s.conn().Run("INSERT INTO ${usage}.usage_network_offering (zone_id, account_id, domain_id, "
                 "vm_instance_id, network_offering_id, is_default, created, deleted, nic_id) "
                 "VALUES (1, ?, ?, 8, 4, 1, ?, NULL, 80)",
                 s.account(), s.domain(), ParseUtc("2026-01-14 00:00:00"));
  }
}

TEST_P(HealingTest, OverlappingAndOrphanedLegacyHelperRowsAreHealedAndBilledOnce) {
  Scenario s(GetParam());
  WriteLegacyRows(s);
  // The first window is the one of the oldest event.
  s.Vm("VM.CREATE", "2026-01-14 00:00:00", 20);
  ASSERT_TRUE(RunAt(s.conn(), "2026-01-15 00:10:00").ok());

  EXPECT_EQ(RunningHours(s, 8), std::vector<std::string>{"23"});
  EXPECT_EQ(RunningHours(s, 9), std::vector<std::string>{"10"});
  EXPECT_EQ(Hours(s, 13, 8), std::vector<std::string>{"24"});
  auto healing = Healing(s);
  std::string all;
  for (const auto& h : healing) all += h + "\n";
  EXPECT_EQ(healing.size(), 3u) << all;
  EXPECT_NE(all.find("overlap usage_vm_instance 2 3"), std::string::npos) << all;
  EXPECT_NE(all.find("running_after_destroy usage_vm_instance 5 4"), std::string::npos) << all;
  EXPECT_NE(all.find("duplicate_row usage_network_offering"), std::string::npos) << all;

  // Healing is done once: a second run finds nothing to heal.
  ASSERT_TRUE(RunAt(s.conn(), "2026-01-16 00:10:00").ok());
  EXPECT_EQ(Healing(s).size(), 3u);
  EXPECT_EQ(RunningHours(s, 8), (std::vector<std::string>{"23", "24"}));
}

// A row that ended in the second it began holds no time: it is neither a
// repeat of the row that starts in the same second nor an overlap, whatever
// order the rows were written in. (Tables with a unique start per resource,
// such as usage_vm_instance, cannot hold such a pair.)
TEST_P(HealingTest, ZeroLengthRowsAreLeftAsTheyAre) {
  Scenario s(GetParam());
  const Instant t = ParseUtc("2026-01-14 10:00:00");
  // Load balancer 801: open from 10:00, and a create and delete within
  // 10:00:00 written after it.
  for (const auto& end : {std::optional<Instant>(), std::optional<Instant>(t)}) {
    s.conn().Run("INSERT INTO ${usage}.usage_load_balancer_policy (lb_id, zone_id, account_id, "
                 "domain_id, created, deleted) VALUES (801, 1, ?, ?, ?, ?)",
                 s.account(), s.domain(), t, end);
  }
  // Network 900: created and implemented in one second.
  for (const auto& [state, end] :
       std::vector<std::pair<std::string, std::optional<Instant>>>{{"Allocated", t},
                                                                   {"Implemented", {}}}) {
    s.conn().Run("INSERT INTO ${usage}.usage_networks (network_offering_id, zone_id, "
                 "network_id, account_id, domain_id, state, created, removed) VALUES "
                 "(40, 1, 900, ?, ?, ?, ?, ?)",
                 s.account(), s.domain(), state, t, end);
  }
  s.Vm("VM.CREATE", "2026-01-14 00:00:00", 20);
  ASSERT_TRUE(RunAt(s.conn(), "2026-01-15 00:10:00").ok());
  EXPECT_EQ(Healing(s), std::vector<std::string>{});
  EXPECT_EQ(QueryCount(s.conn(), "SELECT count(*) FROM ${usage}.usage_load_balancer_policy "
                                 "WHERE lb_id = 801"), 2);
  EXPECT_EQ(QueryCount(s.conn(), "SELECT count(*) FROM ${usage}.usage_networks WHERE "
                                 "network_id = 900"), 2);
  EXPECT_EQ(QueryColumn(s.conn(), "SELECT usage_display FROM ${usage}.cloud_usage WHERE "
                                  "usage_type IN (11, 30) ORDER BY usage_type"),
            (std::vector<std::string>{"14 Hrs", "14 Hrs"}));
}

TEST_P(HealingTest, HealingActionsGoToTheirOwnLogFile) {
  Scenario s(GetParam());
  std::vector<std::pair<int64_t, int64_t>> pairs;
  WriteHistory(s, true, &pairs);
  TempDir logs;
  CliResult run = RunCli({"--db", s.db().url, "--log-dir", logs.path(), "run", "--once", "--now",
                          "2026-01-16 00:10:00"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  std::ifstream in(logs.path() + "/healing.log");
  std::stringstream log;
  log << in.rdbuf();
  for (auto [copy, original] : pairs) {
    EXPECT_NE(log.str().find(fmt::format("row {}, related {}", copy, original)),
              std::string::npos)
        << log.str();
  }
  std::ifstream main_log(logs.path() + "/usaged.log");
  EXPECT_TRUE(main_log.good());
}

INSTANTIATE_TEST_SUITE_P(Engines, HealingTest, ::testing::ValuesIn(TestEngines()),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace usaged::testing
