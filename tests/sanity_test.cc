// The sanity check: a clean database has no findings; each anomaly injected
// into one is found, logged, stored and alerted.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <tuple>

#include "core/usage_types.h"
#include "maintain/sanity.h"
#include "support/scenario.h"

namespace usaged::testing {
namespace {

// VM 7 runs from 2026-01-10 and is destroyed 2026-01-12 12:00; VM 8 and
// volume 50 live throughout. Days 10..14 are billed.
class SanityTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    s_ = std::make_unique<Scenario>(GetParam());
    for (int64_t vm : {7, 8}) {
      s_->Vm("VM.CREATE", "2026-01-10 00:00:00", vm);
      s_->Vm("VM.START", "2026-01-10 00:00:00", vm);
    }
    s_->Vm("VM.STOP", "2026-01-12 12:00:00", 7);
    s_->Vm("VM.DESTROY", "2026-01-12 12:00:00", 7);
    s_->Volume("VOLUME.CREATE", "2026-01-10 00:00:00", 50, 1 << 30);
    ASSERT_TRUE(RunAt(s_->conn(), "2026-01-15 00:10:00").ok());
  }

  int64_t RecordId(int64_t vm, const std::string& day) {
    return QueryCount(s_->conn(), fmt::format(
        "SELECT id FROM ${{usage}}.cloud_usage WHERE usage_type = 1 AND vm_instance_id = {} AND "
        "start_date = '{} 00:00:00'", vm, day));
  }

  // Inserts a copy of record `id` with other dates and its own key.
  void CopyRecord(int64_t id, const std::string& start, const std::string& end) {
    s_->conn().Run(
        "INSERT INTO ${usage}.cloud_usage (zone_id, account_id, domain_id, description, "
        "usage_display, usage_type, raw_usage, vm_instance_id, vm_name, offering_id, "
        "template_id, usage_id, type, size, network_id, start_date, end_date, virtual_size, "
        "cpu_speed, cpu_cores, memory, quota_calculated, is_hidden, state, usage_key) SELECT "
        "zone_id, account_id, domain_id, description, usage_display, usage_type, raw_usage, "
        "vm_instance_id, vm_name, offering_id, template_id, usage_id, type, size, network_id, ?, "
        "?, virtual_size, cpu_speed, cpu_cores, memory, quota_calculated, is_hidden, state, ? "
        "FROM ${usage}.cloud_usage WHERE id = ?",
        ParseUtc(start), ParseUtc(end), fmt::format("test:{}:{}", id, start), id);
  }

  CliResult Sanity() {
    return RunCli({"--db", s_->db().url, "--log-dir", log_dir_.path(), "sanity", "--start",
                   "2026-01-10", "--end", "2026-01-15", "--format", "csv", "--now",
                   "2026-01-15 01:00:00"});
  }

  std::string Log() {
    std::ifstream in(log_dir_.path() + "/sanity.log");
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
  }

  // The check exits 1 and reports `kind` on stdout, in its log, in
  // usaged_sanity_finding and in one alert.
  void ExpectFound(std::string_view kind) {
    CliResult r = Sanity();
    EXPECT_EQ(r.exit_code, 1) << r.err;
    EXPECT_NE(r.out.find(std::string(kind) + ","), std::string::npos) << r.out;
    EXPECT_NE(Log().find(std::string(kind)), std::string::npos) << Log();
    EXPECT_GE(QueryCount(s_->conn(), fmt::format("SELECT count(*) FROM "
                                                 "${{usage}}.usaged_sanity_finding WHERE "
                                                 "kind = '{}'", kind)), 1);
    EXPECT_EQ(QueryCount(s_->conn(), "SELECT count(*) FROM ${usage}.usaged_alert WHERE "
                                     "type = 'USAGE_SANITY_FINDING'"), 1);
  }

  std::unique_ptr<Scenario> s_;
  TempDir log_dir_;
};

TEST_P(SanityTest, ACleanDatabaseHasNoFindings) {
  CliResult r = Sanity();
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(r.out, "kind,usage_type,account_id,usage_id,window_start,window_end,detail\n");
  EXPECT_NE(Log().find("0 finding(s)"), std::string::npos) << Log();
  EXPECT_EQ(QueryCount(s_->conn(), "SELECT count(*) FROM ${usage}.usaged_alert"), 0);
  EXPECT_EQ(QueryColumn(s_->conn(), "SELECT state FROM ${usage}.usaged_job WHERE kind = "
                                    "'SANITY'"),
            std::vector<std::string>{"SUCCEEDED"});
}

TEST_P(SanityTest, FindsAMissingRecord) {
  s_->conn().Run("DELETE FROM ${usage}.cloud_usage WHERE id = ?", RecordId(8, "2026-01-13"));
  ExpectFound(maintain::finding_kind::kRecordCount);
}

TEST_P(SanityTest, FindsARecordAfterRemoval) {
  CopyRecord(RecordId(7, "2026-01-12"), "2026-01-13 00:00:00", "2026-01-13 23:59:59");
  ExpectFound(maintain::finding_kind::kRecordAfterRemoval);
}

TEST_P(SanityTest, FindsOverlappingRecords) {
  CopyRecord(RecordId(8, "2026-01-12"), "2026-01-12 12:00:00", "2026-01-13 11:59:59");
  ExpectFound(maintain::finding_kind::kOverlappingRecords);
}

TEST_P(SanityTest, FindsADuplicateRecord) {
  CopyRecord(RecordId(8, "2026-01-12"), "2026-01-12 00:00:00", "2026-01-12 23:59:59");
  ExpectFound(maintain::finding_kind::kDuplicateRecord);
}

TEST_P(SanityTest, FindsADuplicateEvent) {
  s_->conn().Exec(
      "INSERT INTO ${usage}.usage_event (id, type, account_id, created, zone_id, resource_id, "
      "resource_name, offering_id, template_id, size, resource_type, virtual_size, processed) "
      "SELECT 1000, type, account_id, created, zone_id, resource_id, resource_name, offering_id, "
      "template_id, size, resource_type, virtual_size, processed FROM ${usage}.usage_event "
      "WHERE type = 'VM.START' AND resource_id = 8");
  ExpectFound(maintain::finding_kind::kDuplicateEvent);
}

TEST_P(SanityTest, FindsRawUsageLongerThanItsWindow) {
  s_->conn().Run("UPDATE ${usage}.cloud_usage SET raw_usage = 30 WHERE id = ?",
                 RecordId(8, "2026-01-12"));
  ExpectFound(maintain::finding_kind::kRawUsageTooLong);
}

TEST_P(SanityTest, FindsAGapInTheBilledWindows) {
  s_->conn().Exec("DELETE FROM ${usage}.usaged_unit WHERE window_id IN (SELECT id FROM "
                  "${usage}.usaged_window WHERE start_date = '2026-01-12 00:00:00')");
  s_->conn().Exec("DELETE FROM ${usage}.usaged_window WHERE start_date = '2026-01-12 00:00:00'");
  ExpectFound(maintain::finding_kind::kJobGap);
}

TEST_P(SanityTest, BadRangeIsRefused) {
  CliResult r = RunCli({"--db", s_->db().url, "sanity", "--start", "2026-01-14", "--end",
                        "2026-01-12"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("inverted"), std::string::npos) << r.err;
}

INSTANTIATE_TEST_SUITE_P(Engines, SanityTest, ::testing::ValuesIn(TestEngines()));

// NETWORK and VPC records are one per helper row: records of one network that
// agree on every column but the hours are parts, not copies. In compat mode a
// delete on a window's start leaves a 1 ms record in that window. A VPN user
// under two names has a record per name.
class SanityPerRowTest : public ::testing::TestWithParam<std::string> {};

TEST_P(SanityPerRowTest, ACleanCompatStoreWithRecordsPerHelperRowHasNoFindings) {
  Scenario s(GetParam());
  s.db().SetConfig("usage.compat.float.hours", "true");
  auto event = [&](const char* type, const char* when, int64_t id,
                   std::optional<std::string> state = std::nullopt) {
    sim::EventSpec e = sim::ResourceEvent(type, s.account(), ParseUtc(when), id, 40);
    e.resource_type = std::move(state);
    s.Event(e);
  };
  event("NETWORK.CREATE", "2026-01-10 00:00:00", 900);
  event("NETWORK.UPDATE", "2026-01-10 06:00:00", 900, "Allocated");  // changes nothing
  event("NETWORK.UPDATE", "2026-01-11 10:00:00", 900, "Implemented");
  event("NETWORK.UPDATE", "2026-01-11 14:00:00", 900, "Shutdown");
  event("NETWORK.UPDATE", "2026-01-11 16:00:00", 900, "Implemented");
  event("NETWORK.DELETE", "2026-01-13 00:00:00", 900);
  event("VPC.CREATE", "2026-01-10 02:00:00", 5);
  event("VPC.DELETE", "2026-01-10 04:00:00", 5);
  event("VPC.CREATE", "2026-01-10 08:00:00", 5);
  event("VPC.DELETE", "2026-01-12 00:00:00", 5);
  // One VPN user under two names in one window: two records.
  for (const auto& [type, when, name] :
       {std::tuple{"VPN.USER.ADD", "2026-01-10 01:00:00", "carol"},
        std::tuple{"VPN.USER.REMOVE", "2026-01-10 02:00:00", "carol"},
        std::tuple{"VPN.USER.ADD", "2026-01-10 03:00:00", "carol2"}}) {
    sim::EventSpec e = sim::ResourceEvent(type, s.account(), ParseUtc(when), 63);
    e.resource_name = name;
    s.Event(e);
  }
  ASSERT_TRUE(RunAt(s.conn(), "2026-01-15 00:10:00").ok());
  ASSERT_EQ(QueryCount(s.conn(), "SELECT count(*) FROM ${usage}.cloud_usage WHERE "
                                 "usage_type = 30 AND start_date = '2026-01-10 00:00:00'"),
            2);
  ASSERT_EQ(QueryCount(s.conn(), "SELECT count(*) FROM ${usage}.cloud_usage WHERE "
                                 "usage_type = 31 AND start_date = '2026-01-12 00:00:00'"),
            1);
  ASSERT_EQ(QueryCount(s.conn(), "SELECT count(*) FROM ${usage}.cloud_usage WHERE "
                                 "usage_type = 14 AND start_date = '2026-01-10 00:00:00'"),
            2);
  CliResult r = RunCli({"--db", s.db().url, "sanity", "--start", "2026-01-10", "--end",
                        "2026-01-15", "--format", "csv", "--now", "2026-01-15 01:00:00"});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(r.out, "kind,usage_type,account_id,usage_id,window_start,window_end,detail\n");
}

INSTANTIATE_TEST_SUITE_P(Engines, SanityPerRowTest, ::testing::ValuesIn(TestEngines()));

}  // namespace
}  // namespace usaged::testing
