// Events with a negative size, virtual size, resource id or CPU/memory detail
// are quarantined with the reason, in every handler family, and no negative
// quantity reaches a record. On MariaDB CloudStack's columns are unsigned: the
// same values arrive there as numbers past the signed range, which read as
// negative.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <map>

#include "core/usage_types.h"
#include "ingest/quarantine.h"
#include "support/scenario.h"

namespace usaged::testing {
namespace {

constexpr int64_t kGiB = 1024LL * 1024 * 1024;

class NegativeValuesTest : public ::testing::TestWithParam<std::string> {
 protected:
  NegativeValuesTest() : s_(GetParam()) {}

  sim::EventSpec Spec(const char* type, const char* when, int64_t resource,
                      std::optional<int64_t> offering = std::nullopt) {
    sim::EventSpec e = sim::ResourceEvent(type, s_.account(), ParseUtc(when), resource, offering);
    e.resource_name = fmt::format("r{}", resource);
    return e;
  }

  // Writes `e`, then sets its `column` to `value` the way each engine holds
  // it (MariaDB: the unsigned number with the same bits). Expects it to be
  // quarantined.
  void Negative(sim::EventSpec e, const char* column, int64_t value) {
    const int64_t id = s_.Event(e);
    const std::string literal = GetParam() == "sqlite"
                                    ? std::to_string(value)
                                    : std::to_string(static_cast<uint64_t>(value));
    s_.conn().Exec(fmt::format("UPDATE ${{cloud}}.usage_event SET {} = {} WHERE id = {}", column,
                               literal, id));
    expected_[id] = fmt::format("{}: negative {} {}", e.type, column, value);
  }

  Scenario s_;
  std::map<int64_t, std::string> expected_;  // event id -> "TYPE: reason"
};

TEST_P(NegativeValuesTest, EveryFamilyQuarantinesThemAndNoRecordIsNegative) {
  // One event per handler family (and each field at least once).
  auto volume = Spec("VOLUME.CREATE", "2026-01-10 01:00:00", 50, 3);
  volume.size = kGiB;
  Negative(volume, "size", -kGiB);
  Negative(Spec("VM.CREATE", "2026-01-10 01:00:00", 7, 10), "resource_id", -7);
  auto ip = Spec("NET.IPASSIGN", "2026-01-10 01:00:00", 30);
  ip.size = 0;
  Negative(ip, "size", -1);
  Negative(Spec("NETWORK.OFFERING.ASSIGN", "2026-01-10 01:00:00", 8, 40), "resource_id", -8);
  auto tmpl = Spec("TEMPLATE.CREATE", "2026-01-10 01:00:00", 801);
  tmpl.size = kGiB;
  tmpl.virtual_size = 20 * kGiB;
  Negative(tmpl, "virtual_size", -20 * kGiB);
  auto iso = Spec("ISO.CREATE", "2026-01-10 01:00:00", 802);
  iso.size = kGiB;
  Negative(iso, "size", -kGiB);
  auto snapshot = Spec("SNAPSHOT.CREATE", "2026-01-10 01:00:00", 803);
  snapshot.size = kGiB;
  snapshot.virtual_size = 20 * kGiB;
  Negative(snapshot, "size", -kGiB);
  auto chain = Spec("VMSNAPSHOT.CREATE", "2026-01-10 01:00:00", 9);
  chain.size = kGiB;
  chain.template_id = 90;
  chain.details = {{"vmSnapshotId", "951"}};
  Negative(chain, "size", -kGiB);
  auto upload = Spec("VOLUME.UPLOAD", "2026-01-10 01:00:00", 804);
  upload.size = kGiB;
  Negative(upload, "size", -kGiB);
  auto on_primary = Spec("VMSNAPSHOT.ON_PRIMARY", "2026-01-10 01:00:00", 9);
  on_primary.size = kGiB;
  on_primary.virtual_size = 20 * kGiB;
  on_primary.details = {{"vmSnapshotId", "950"}};
  Negative(on_primary, "virtual_size", -20 * kGiB);
  auto assign = Spec("BACKUP.OFFERING.ASSIGN", "2026-01-10 01:00:00", 9, 2);
  s_.Event(assign);
  auto metric = assign;
  metric.type = "BACKUP.USAGE.METRIC";
  metric.created = ParseUtc("2026-01-10 02:00:00");
  metric.size = 5 * kGiB;
  metric.virtual_size = 20 * kGiB;
  Negative(metric, "size", -5 * kGiB);
  Negative(Spec("SG.ASSIGN", "2026-01-10 01:00:00", 9, 31), "resource_id", -9);
  Negative(Spec("LB.CREATE", "2026-01-10 01:00:00", 601), "resource_id", -601);
  Negative(Spec("NET.RULEADD", "2026-01-10 01:00:00", 701), "resource_id", -701);
  Negative(Spec("VPN.USER.ADD", "2026-01-10 01:00:00", 71), "resource_id", -71);
  Negative(Spec("NETWORK.CREATE", "2026-01-10 01:00:00", 211, 40), "resource_id", -211);
  Negative(Spec("VPC.CREATE", "2026-01-10 01:00:00", 21), "resource_id", -21);
  // A custom offering's CPU count goes into the VM's records as it is.
  auto custom = Spec("VM.CREATE", "2026-01-10 01:00:00", 11, 20);
  custom.details = {{"cpuNumber", "-2"}, {"cpuSpeed", "2000"}, {"memory", "4096"}};
  const int64_t custom_id = s_.Event(custom);
  expected_[custom_id] = "VM.CREATE: negative cpuNumber detail -2";
  // A valid volume is billed beside them.
  auto valid = Spec("VOLUME.CREATE", "2026-01-10 01:00:00", 51, 3);
  valid.size = kGiB;
  s_.Event(valid);

  ASSERT_TRUE(RunAt(s_.conn(), "2026-01-11 00:10:00").ok());
  std::map<int64_t, std::string> quarantined;
  for (const auto& q : ingest::ListQuarantine(s_.conn())) {
    quarantined[q.source_id] = q.event_type + ": " + q.reason;
  }
  EXPECT_EQ(quarantined, expected_);
  // What is billed: the valid volume, and the backup assignment at its sizes
  // before the refused metric (if the backup parser bills it at all).
  std::vector<std::string> billed;
  for (const UsageRecord& r : ReadRecords(s_.conn())) {
    for (const auto& v : {r.size, r.virtual_size, r.cpu_cores, r.cpu_speed, r.memory,
                          r.usage_id, r.vm_instance_id}) {
      EXPECT_GE(v.value_or(0), 0) << r.description;
    }
    EXPECT_GE(r.raw_usage, 0) << r.description;
    if (r.usage_type != usage_type::kBackup) {
      billed.push_back(fmt::format("{} {} {}", r.usage_type, r.usage_id.value_or(0),
                                   r.size.value_or(0)));
    }
  }
  EXPECT_EQ(billed, std::vector<std::string>{fmt::format("6 51 {}", kGiB)});
}

INSTANTIATE_TEST_SUITE_P(Engines, NegativeValuesTest, ::testing::ValuesIn(TestEngines()));

}  // namespace
}  // namespace usaged::testing
