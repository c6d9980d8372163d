// generate / regenerate by scope: exactly the records in scope are rebuilt,
// nothing else changes; bad requests change nothing.
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <map>

#include "core/usage_types.h"
#include "job/job_log.h"
#include "maintain/record_checks.h"
#include "support/scenario.h"

namespace usaged::testing {
namespace {

// Three accounts: acme in "customers", eu1 in its sub-domain "customers/eu",
// other in the sibling domain "partners". Each runs a VM from 2026-01-10;
// acme also has a volume. Days 10..14 are billed (checkpoint 2026-01-15).
class RegenerateTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    s_ = std::make_unique<Scenario>(GetParam());
    int64_t root = 1;
    sub_domain_ = s_->cloud().AddDomain("eu", s_->domain());
    other_domain_ = s_->cloud().AddDomain("partners", root);
    eu1_ = s_->cloud().AddAccount("eu1", sub_domain_);
    other_ = s_->cloud().AddAccount("other", other_domain_);
    int64_t vm = 7;
    for (int64_t account : {s_->account(), eu1_, other_}) {
      s_->Vm("VM.CREATE", "2026-01-10 00:00:00", vm, 10, account);
      s_->Vm("VM.START", "2026-01-10 06:00:00", vm, 10, account);
      ++vm;
    }
    s_->Volume("VOLUME.CREATE", "2026-01-10 00:00:00", 50, 1 << 30);
    ASSERT_TRUE(RunAt(s_->conn(), "2026-01-15 00:10:00").ok());
    original_ = Keyed();
    ASSERT_GT(original_.size(), 20u);
  }

  // usage_key -> raw_usage of every record.
  std::map<std::string, double> Keyed() {
    std::map<std::string, double> out;
    for (const auto& r : ReadRecords(s_->conn())) out[r.usage_key] = r.raw_usage;
    return out;
  }

  // Makes every stored record visibly wrong, so a rebuilt one stands out.
  void Tamper() { s_->conn().Exec("UPDATE ${usage}.cloud_usage SET raw_usage = raw_usage + 1000"); }

  CliResult Cli(std::vector<std::string> args) {
    args.insert(args.begin(), {"--db", s_->db().url});
    args.insert(args.end(), {"--now", "2026-01-15 12:00:00"});
    return RunCli(args);
  }

  // After a tamper and a rebuild: records in scope are the originals, the
  // others are still tampered, none is missing or added.
  void ExpectOnlyScopeRebuilt(const std::function<bool(const UsageRecord&)>& in_scope) {
    int rebuilt = 0, kept = 0;
    auto records = ReadRecords(s_->conn());
    EXPECT_EQ(records.size(), original_.size());
    for (const auto& r : records) {
      ASSERT_EQ(original_.count(r.usage_key), 1u) << r.usage_key;
      double want = original_[r.usage_key] + (in_scope(r) ? 0 : 1000);
      EXPECT_DOUBLE_EQ(r.raw_usage, want) << r.description << " " << FormatUtc(r.start_date);
      ++(in_scope(r) ? rebuilt : kept);
    }
    EXPECT_GT(rebuilt, 0);
    EXPECT_GT(kept, 0);
    EXPECT_EQ(maintain::CountDuplicateRecords(s_->conn()), 0);
  }

  static bool InDays12And13(const UsageRecord& r) {
    return FormatUtc(r.start_date) >= "2026-01-12" && FormatUtc(r.start_date) < "2026-01-14";
  }

  std::unique_ptr<Scenario> s_;
  int64_t sub_domain_ = 0, other_domain_ = 0, eu1_ = 0, other_ = 0;
  std::map<std::string, double> original_;
};

TEST_P(RegenerateTest, AllAccountsReplacesExactlyTheRange) {
  Tamper();
  CliResult r = Cli({"regenerate", "--start", "2026-01-12", "--end", "2026-01-14", "--reason",
                     "rate fix"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  ExpectOnlyScopeRebuilt(InDays12And13);
  auto jobs = job::JobLog(s_->conn()).List();
  ASSERT_FALSE(jobs.empty());
  const auto& j = jobs.front();
  EXPECT_EQ(j.kind, "REGENERATE");
  EXPECT_EQ(j.state, "SUCCEEDED");
  EXPECT_EQ(j.reason, "rate fix");
  ASSERT_TRUE(j.requester);
  EXPECT_EQ(j.requester->rfind("cli:", 0), 0u);
  EXPECT_EQ(j.units_total, 8);  // 2 windows x 4 shards
  EXPECT_EQ(j.units_done, 8);
  EXPECT_EQ(FormatUtc(*j.range_start), "2026-01-12 00:00:00");
  EXPECT_EQ(FormatUtc(*j.range_end), "2026-01-13 23:59:59");
  CliResult list = Cli({"jobs", "--format", "csv"});
  EXPECT_NE(list.out.find("REGENERATE,SUCCEEDED,2026-01-12 00:00:00,2026-01-13 23:59:59,all,"),
            std::string::npos) << list.out;
  EXPECT_NE(list.out.find(",rate fix,cli:"), std::string::npos) << list.out;
  EXPECT_NE(list.out.find(",8/8,8,8,0,"), std::string::npos) << list.out;
}

TEST_P(RegenerateTest, OneAccountLeavesTheOthersAlone) {
  Tamper();
  // The CloudStack-style inclusive end ("... 23:59:59") is accepted too.
  CliResult r = Cli({"regenerate", "--start", "2026-01-12 00:00:00", "--end",
                     "2026-01-13 23:59:59", "--account", std::to_string(eu1_), "--reason", "x"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  ExpectOnlyScopeRebuilt([&](const UsageRecord& rec) {
    return rec.account_id == eu1_ && InDays12And13(rec);
  });
  EXPECT_EQ(job::JobLog(s_->conn()).List().front().scope_account_id, eu1_);
}

TEST_P(RegenerateTest, DomainIncludesItsSubDomains) {
  Tamper();
  CliResult r = Cli({"regenerate", "--start", "2026-01-12", "--end", "2026-01-14", "--domain",
                     std::to_string(s_->domain()), "--reason", "domain fix"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  ExpectOnlyScopeRebuilt([&](const UsageRecord& rec) {
    return (rec.account_id == s_->account() || rec.account_id == eu1_) && InDays12And13(rec);
  });
}

TEST_P(RegenerateTest, OneUsageType) {
  Tamper();
  CliResult r = Cli({"regenerate", "--start", "2026-01-12", "--end", "2026-01-14", "--type",
                     std::to_string(usage_type::kRunningVm), "--reason", "type fix"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  ExpectOnlyScopeRebuilt([&](const UsageRecord& rec) {
    return rec.usage_type == usage_type::kRunningVm && InDays12And13(rec);
  });
}

TEST_P(RegenerateTest, RecordsMissingFromTheTableAreRebuilt) {
  // Records lost although their units are marked done (CloudStack #7133).
  s_->conn().Exec("DELETE FROM ${usage}.cloud_usage WHERE start_date = '2026-01-12 00:00:00' AND "
                  "usage_type = 1");
  Tamper();
  CliResult r = Cli({"generate", "--start", "2026-01-11", "--end", "2026-01-14"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  // The missing ones are back with their right values; the others untouched.
  ExpectOnlyScopeRebuilt([](const UsageRecord& rec) {
    return rec.usage_type == 1 && FormatUtc(rec.start_date) == "2026-01-12 00:00:00";
  });
  EXPECT_EQ(job::JobLog(s_->conn()).List().front().kind, "GENERATE");
  // A second generate finds nothing missing.
  CliResult again = Cli({"generate", "--start", "2026-01-11", "--end", "2026-01-14"});
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_NE(again.out.find("written 0"), std::string::npos) << again.out;
}

TEST_P(RegenerateTest, BadRequestsAreRefusedAndChangeNothing) {
  const std::string before = SortedRecordsCsv(s_->db().url);
  struct Case {
    std::vector<std::string> args;
    std::string message;
  };
  std::vector<Case> cases = {
      {{"regenerate", "--start", "2026-01-12 05:00:00", "--end", "2026-01-14", "--reason", "r"},
       "nearest aligned range is 2026-01-12 00:00:00 to 2026-01-14 00:00:00"},
      {{"regenerate", "--start", "2026-01-12", "--end", "2026-01-13 12:00:00", "--reason", "r"},
       "nearest aligned range is 2026-01-12 00:00:00 to 2026-01-14 00:00:00"},
      {{"regenerate", "--start", "2026-01-13", "--end", "2026-01-12", "--reason", "r"},
       "inverted"},
      {{"regenerate", "--start", "2026-01-13", "--end", "2026-01-17", "--reason", "r"},
       "in the future"},
      {{"regenerate", "--start", "2026-01-14", "--end", "2026-01-15 06:00:00", "--reason", "r"},
       "past the checkpoint"},
      {{"regenerate", "--start", "2026-01-01", "--end", "2026-01-12", "--reason", "r"},
       "before the first window"},
      {{"regenerate", "--start", "2026-01-12", "--end", "2026-01-13"}, "--reason"},
      {{"regenerate", "--start", "2026-01-12", "--end", "2026-01-13", "--reason", ""}, "reason"},
      {{"regenerate", "--start", "2026-01-12", "--end", "2026-01-13", "--reason", "r",
        "--account", "999"}, "unknown account 999"},
      {{"generate", "--start", "2026-01-12", "--end", "2026-01-13", "--domain", "999"},
       "unknown domain 999"},
      {{"generate", "--start", "2026-01-12", "--end", "2026-01-13", "--type", "77"},
       "unknown usage type 77"},
      {{"generate", "--start", "2026-01-12", "--end", "2026-01-13", "--account", "1",
        "--domain", "1"}, "excludes"},
      {{"generate", "--start", "yesterday", "--end", "2026-01-13"}, "--start"},
  };
  for (const auto& c : cases) {
    CliResult r = Cli(c.args);
    EXPECT_EQ(r.exit_code, 2) << c.args[2] << " " << c.args[4] << ": " << r.err;
    EXPECT_NE(r.err.find(c.message), std::string::npos) << r.err;
  }
  EXPECT_EQ(SortedRecordsCsv(s_->db().url), before);
  for (const auto& j : job::JobLog(s_->conn()).List()) EXPECT_EQ(j.kind, "RUN");
}

TEST_P(RegenerateTest, OverlappingRangesAreRefused) {
  // A regeneration of the 13th still running in a live process (this one).
  job::JobStart running;
  running.kind = job::JobKind::kRegenerate;
  running.reason = "in progress";
  running.range_start = ParseUtc("2026-01-13 00:00:00");
  running.range_end = ParseUtc("2026-01-13 23:59:59");
  int64_t id = job::JobLog(s_->conn()).Start(running, ParseUtc("2026-01-15 11:00:00"));
  const std::string before = SortedRecordsCsv(s_->db().url);
  // `jobs` shows it running for an hour (to --now), with its scope and progress.
  CliResult list = Cli({"jobs", "--format", "csv"});
  EXPECT_NE(list.out.find("REGENERATE,RUNNING,2026-01-13 00:00:00,2026-01-13 23:59:59,all,,,,"
                          "in progress,,0/0,"),
            std::string::npos) << list.out;
  EXPECT_NE(list.out.find(",3600,"), std::string::npos) << list.out;
  CliResult r = Cli({"regenerate", "--start", "2026-01-12", "--end", "2026-01-14", "--reason",
                     "second"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find(fmt::format("overlaps job {}", id)), std::string::npos) << r.err;
  EXPECT_EQ(SortedRecordsCsv(s_->db().url), before);
  // A range next to it is fine.
  CliResult next = Cli({"regenerate", "--start", "2026-01-11", "--end", "2026-01-13", "--reason",
                        "adjacent"});
  EXPECT_EQ(next.exit_code, 0) << next.err;
  // A job left RUNNING by a process that is gone does not block.
  s_->conn().Run("UPDATE ${usage}.usaged_job SET pid = ? WHERE id = ?", int64_t{999999999}, id);
  CliResult after = Cli({"regenerate", "--start", "2026-01-12", "--end", "2026-01-14",
                         "--reason", "after crash"});
  EXPECT_EQ(after.exit_code, 0) << after.err;
  EXPECT_EQ(QueryColumn(s_->conn(), fmt::format(
                "SELECT state FROM ${{usage}}.usaged_job WHERE id = {}", id)).front(),
            "INTERRUPTED");
  EXPECT_EQ(SortedRecordsCsv(s_->db().url), before);
}

INSTANTIATE_TEST_SUITE_P(Engines, RegenerateTest, ::testing::ValuesIn(TestEngines()));

}  // namespace
}  // namespace usaged::testing
