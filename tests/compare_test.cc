// `usaged compare` on databases the Java usage server billed: the seed bug
// report's state (every daily job re-billed the history since 2026-01-13
// 00:00:37, a duplicate helper row doubled a network offering, failed jobs
// with their start after their end) is classified by cause; a change of the
// Java server's tables is never made; differences without a cause are
// listed first and make the command exit 1.
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <map>

#include "core/usage_types.h"
#include "store/mariadb/mariadb_params.h"
#include "support/cloudstack_db.h"
#include "support/test_env.h"

namespace usaged::testing {
namespace {

using nlohmann::json;

constexpr int kJobs = 20;  // daily jobs 2026-01-14 .. 2026-02-02
const Instant kDay0 = ParseUtc("2026-01-13 00:00:00");
const Instant kFirstStart = ParseUtc("2026-01-13 00:00:37");

Instant Day(int k) { return kDay0 + std::chrono::hours(24 * k); }
std::string Sql(Instant t) { return "'" + FormatUtc(t) + "'"; }

// One resource's daily record as the Java server writes it (values from
// its rules: hours = (float) ms / 1000f / 60f / 60f over end - start + 1 ms,
// DecimalFormat("#.######"); computed with CloudStack 4.21's formulas).
struct Series {
  int64_t account;
  int usage_type;
  int64_t vm;
  double first_day;  // window 0 runs from 00:00:37.000 to 23:59:59.999
  std::string first_display;
  double day;
  std::string display;
};
const Series kSeries[] = {
    // Two helper rows (a duplicate NETWORK.OFFERING.ASSIGN): double hours.
    {5, usage_type::kNetworkOffering, 456, 47.97944259643555, "47.979443", 48, "48"},
    {6, usage_type::kNetworkOffering, 457, 23.989721298217773, "23.989721", 24, "24"},
    {5, usage_type::kAllocatedVm, 500, 16, "16", 24, "24"},
    {5, usage_type::kRunningVm, 500, 16, "16", 24, "24"}};

std::string RecordValues(const Series& s, int window) {
  const bool vm = s.usage_type != usage_type::kNetworkOffering;
  const double raw = window == 0 ? s.first_day : s.day;
  const std::string display = (window == 0 ? s.first_display : s.display) + " Hrs";
  const std::string description =
      vm ? fmt::format("vm{} {} (ServiceOffering: 10) (Template: 200)", s.vm,
                       s.usage_type == usage_type::kRunningVm ? "running time" : "allocated")
         : fmt::format("Network offering:39 for Vm : {} usage time", s.vm);
  return fmt::format("(1, {}, 1, '{}', '{}', {}, {:.17g}, {}, {}, {}, {}, {}, {}, {}, {})",
                     s.account, description, display, s.usage_type, raw, s.vm,
                     vm ? fmt::format("'vm{}'", s.vm) : "NULL", vm ? 10 : 39, vm ? "200" : "NULL",
                     vm ? s.vm : 1, vm ? "'KVM'" : "NULL",
                     Sql(window == 0 ? kFirstStart : Day(window)),
                     Sql(Day(window + 1) - std::chrono::seconds(1)));
}

// What the Java server's job `job` (1-based) writes: every window since the
// first again, and its usage_job row.
void WriteJavaJob(store::Connection& conn, int job) {
  std::string values;
  for (const Series& s : kSeries) {
    for (int k = 0; k < job; ++k) values += (values.empty() ? "" : ", ") + RecordValues(s, k);
  }
  conn.Exec("INSERT INTO ${usage}.cloud_usage (zone_id, account_id, domain_id, description, "
            "usage_display, usage_type, raw_usage, vm_instance_id, vm_name, offering_id, "
            "template_id, usage_id, type, start_date, end_date) VALUES " + values);
  const Instant end = Day(job) - std::chrono::milliseconds(1);
  conn.Exec(fmt::format(
      "INSERT INTO ${{usage}}.usage_job (host, pid, job_type, scheduled, start_millis, "
      "end_millis, exec_time, start_date, end_date, success, heartbeat) VALUES ('java', 7, 0, 0, "
      "{}, {}, 900, {}, {}, 1, {})",
      ToEpochMillis(kFirstStart), ToEpochMillis(end), Sql(kFirstStart), Sql(end),
      Sql(Day(job) + std::chrono::minutes(15))));
}

void WriteSeedHistory(store::Connection& conn) {
  conn.Exec("INSERT INTO ${cloud}.domain (id, name, uuid, owner, path) VALUES (1, 'ROOT', 'r', "
            "2, '/')");
  conn.Exec("INSERT INTO ${cloud}.account (id, account_name, uuid, type, domain_id) VALUES "
            "(5, 'a5', 'u5', 0, 1), (6, 'a6', 'u6', 0, 1)");
  conn.Exec("INSERT INTO ${usage}.account (id, account_name, uuid, type, domain_id) "
            "SELECT id, account_name, uuid, type, domain_id FROM ${cloud}.account");
  const std::string columns = "(id, type, account_id, created, zone_id, resource_id, "
                              "resource_name, offering_id, template_id, size, resource_type)";
  // Event 3 repeats event 1: the Java server opened a second helper row.
  for (const char* e :
       {"(1, 'NETWORK.OFFERING.ASSIGN', 5, '2026-01-13 00:00:37', 1, 456, '9001', 39, NULL, 1, "
        "NULL)",
        "(2, 'NETWORK.OFFERING.ASSIGN', 6, '2026-01-13 00:00:37', 1, 457, '9002', 39, NULL, 1, "
        "NULL)",
        "(3, 'NETWORK.OFFERING.ASSIGN', 5, '2026-01-13 00:00:37', 1, 456, '9001', 39, NULL, 1, "
        "NULL)",
        "(4, 'VM.CREATE', 5, '2026-01-13 08:00:00', 1, 500, 'vm500', 10, 200, NULL, 'KVM')",
        "(5, 'VM.START', 5, '2026-01-13 08:00:00', 1, 500, 'vm500', 10, 200, NULL, 'KVM')"}) {
    conn.Exec("INSERT INTO ${cloud}.usage_event " + columns + " VALUES " + std::string(e));
  }
  conn.Exec("INSERT INTO ${usage}.usage_event " + columns +
            " SELECT id, type, account_id, created, zone_id, resource_id, resource_name, "
            "offering_id, template_id, size, resource_type FROM ${cloud}.usage_event");
  conn.Exec("UPDATE ${usage}.usage_event SET processed = 1");
  for (const char* row : {"(5, 456, 9001)", "(5, 456, 9001)", "(6, 457, 9002)"}) {
    conn.Exec("INSERT INTO ${usage}.usage_network_offering (account_id, vm_instance_id, nic_id, "
              "zone_id, domain_id, network_offering_id, is_default, created) VALUES " +
              std::string(row).substr(0, std::string(row).size() - 1) +
              ", 1, 1, 39, 1, '2026-01-13 00:00:37')");
  }
  for (int type : {usage_type::kAllocatedVm, usage_type::kRunningVm}) {
    conn.Exec(fmt::format("INSERT INTO ${{usage}}.usage_vm_instance (usage_type, zone_id, "
                          "account_id, vm_instance_id, vm_name, service_offering_id, "
                          "template_id, hypervisor_type, start_date) VALUES ({}, 1, 5, 500, "
                          "'vm500', 10, 200, 'KVM', '2026-01-13 08:00:00')",
                          type));
  }
  for (int job = 1; job <= kJobs; ++job) WriteJavaJob(conn, job);
  // Jobs that found their start (last success + 1 ms) after their end.
  for (int i = 1; i <= 3; ++i) {
    conn.Exec(fmt::format(
        "INSERT INTO ${{usage}}.usage_job (host, pid, job_type, scheduled, start_millis, "
        "end_millis, exec_time, start_date, end_date, success, heartbeat) VALUES ('java', 7, 1, "
        "0, {}, {}, 3, {}, {}, 0, {})",
        ToEpochMillis(Day(kJobs)), ToEpochMillis(Day(kJobs)) - 1, Sql(Day(kJobs)),
        Sql(Day(kJobs) - std::chrono::seconds(1)), Sql(Day(kJobs) + std::chrono::hours(i))));
  }
}

struct Counted {
  int64_t records = 0;
  double java = 0, usaged = 0;
};
using Summary = std::map<std::pair<int, std::string>, Counted>;

Summary SummaryOf(const json& report) {
  Summary out;
  for (const auto& s : report.at("summary")) {
    out[{s.at("usage_type").get<int>(), s.at("class").get<std::string>()}] = {
        s.at("records").get<int64_t>(), s.at("java_hours").get<double>(),
        s.at("usaged_hours").get<double>()};
  }
  return out;
}

// Records of classes: window 0 is Java's unaligned one; windows 1 .. J-1
// match (but VM 456's double hours); window k holds J - k copies; window J
// was not billed by Java yet.
Summary ExpectedSeedSummary(int jobs, int windows) {
  Summary s;
  const int64_t copies = int64_t{jobs} * (jobs - 1) / 2;
  for (int type : {usage_type::kAllocatedVm, usage_type::kRunningVm}) {
    s[{type, "match"}] = {jobs - 1, 24.0 * (jobs - 1), 24.0 * (jobs - 1)};
    s[{type, "unaligned_window"}] = {1, 16, 16};
    s[{type, "java_duplicate"}] = {copies, 16.0 * (jobs - 1) + 24.0 * (copies - (jobs - 1)), 0};
    if (windows > jobs) {
      s[{type, "missing_in_java"}] = {windows - jobs, 0, 24.0 * (windows - jobs)};
    }
  }
  const int nets = usage_type::kNetworkOffering;
  s[{nets, "match"}] = {jobs - 1, 24.0 * (jobs - 1), 24.0 * (jobs - 1)};
  s[{nets, "unaligned_window"}] = {1, 23.989721298217773, 86363.0 / 3600};
  // VM 456: one pair per window (Java's double hours) and the copies of
  // both offerings' records.
  s[{nets, "java_duplicate"}] = {jobs + 2 * copies, 0, 0};
  if (windows > jobs) {
    s[{nets, "missing_in_java"}] = {2 * (windows - jobs), 0, 48.0 * (windows - jobs)};
  }
  return s;
}

class CompareTest : public ::testing::TestWithParam<std::string> {
 protected:
  CliResult Compare(const std::string& url, const std::string& end, const std::string& now,
                    std::vector<std::string> extra = {}) {
    std::vector<std::string> args = {"--db",    url,       "--log-level", "warn",
                                     "compare", "--start", "2026-01-13 00:00:00",
                                     "--end",   end,       "--now",       now};
    if (std::find(extra.begin(), extra.end(), "--format") == extra.end()) {
      extra.insert(extra.end(), {"--format", "json"});
    }
    args.insert(args.end(), extra.begin(), extra.end());
    return RunCli(args);
  }
};

TEST_P(CompareTest, ASeedStateDatabaseIsClassifiedByCauseAndLeftUnchanged) {
  const std::string engine = GetParam();
  FreshDatabase db(engine);
  WriteSeedHistory(*CreateCloudStackSchema(engine, db.url()));
  const std::string before = DumpDatabases(engine, db.url());

  // Windows 2026-01-13 .. 2026-02-02 (21): the Java server billed 20.
  CliResult r = Compare(db.url(), "2026-02-03 00:00:00", "2026-02-03 00:10:00");
  ASSERT_EQ(r.exit_code, 0) << r.err << r.out.substr(0, 4000);
  EXPECT_EQ(DumpDatabases(engine, db.url()), before);  // not one byte of CloudStack's
  const json report = json::parse(r.out);
  EXPECT_EQ(report.at("unexplained"), 0);
  EXPECT_EQ(report.at("windows"), kJobs + 1);

  Summary got = SummaryOf(report);
  Summary want = ExpectedSeedSummary(kJobs, kJobs + 1);
  for (const auto& [key, w] : want) {
    auto it = got.find(key);
    ASSERT_NE(it, got.end()) << key.first << " " << key.second;
    EXPECT_EQ(it->second.records, w.records) << key.first << " " << key.second;
    if (key.first != usage_type::kNetworkOffering || key.second != "java_duplicate") {
      EXPECT_NEAR(it->second.java, w.java, 1e-6) << key.first << " " << key.second;
      EXPECT_NEAR(it->second.usaged, w.usaged, 1e-6) << key.first << " " << key.second;
    }
  }
  EXPECT_EQ(got.size(), want.size());

  // Causes, with the rows involved.
  std::map<std::string, int> causes;
  for (const auto& d : report.at("differences")) {
    ++causes[d.at("class").get<std::string>() + "/" + d.at("cause").get<std::string>()];
    if (d.at("cause") == "duplicate_helper_rows") {
      EXPECT_EQ(d.at("helper_ids").size(), 2u) << d.dump();  // the two open rows of VM 456
      EXPECT_NEAR(d.at("java_raw_usage").get<double>(), 2 * d.at("usaged_raw_usage").get<double>(),
                  1e-5)
          << d.dump();
    }
    if (d.at("cause") == "reprocessed_window") {
      // Window k was billed by jobs k+1 .. J: J - k rows, one of them kept.
      const Instant start = ParseUtc(d.at("window_start").get<std::string>());
      const int k = static_cast<int>((start - kDay0) / std::chrono::hours(24));
      EXPECT_EQ(d.at("java_ids").size(), static_cast<size_t>(kJobs - k - 1)) << d.dump();
    }
  }
  EXPECT_EQ(causes["java_duplicate/duplicate_helper_rows"], kJobs);
  EXPECT_EQ(causes["java_duplicate/reprocessed_window"], 4 * (kJobs - 1));
  EXPECT_EQ(causes["unaligned_window/unaligned_java_window"], 3);
  EXPECT_EQ(causes["missing_in_java/window_not_billed_by_java"], 4);
}

TEST_P(CompareTest, ALaterComparisonContinuesTheShadowWhileTheJavaServerBills) {
  const std::string engine = GetParam();
  FreshDatabase db(engine);
  WriteSeedHistory(*CreateCloudStackSchema(engine, db.url()));
  ASSERT_EQ(Compare(db.url(), "2026-02-03 00:00:00", "2026-02-03 00:10:00").exit_code, 0);
  // The Java server runs one more job (re-billing all again) and a new VM
  // is created for account 6.
  {
    auto conn = store::OpenStore(db.url())->Connect(false);
    WriteJavaJob(*conn, kJobs + 1);
    conn->Exec("INSERT INTO ${cloud}.usage_event (id, type, account_id, created, zone_id, "
               "resource_id, resource_name, offering_id, template_id, resource_type) VALUES "
               "(6, 'VM.CREATE', 6, '2026-02-03 12:00:00', 1, 600, 'vm600', 10, 200, 'KVM')");
  }
  CliResult r = Compare(db.url(), "2026-02-04 00:00:00", "2026-02-04 00:10:00");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const json report = json::parse(r.out);
  Summary got = SummaryOf(report);
  Summary want = ExpectedSeedSummary(kJobs + 1, kJobs + 2);
  // The new VM's 12 allocated hours of 2026-02-03: the Java server has not
  // billed that window.
  want[{usage_type::kAllocatedVm, "missing_in_java"}] = {2, 0, 24 + 12};
  for (const auto& [key, w] : want) {
    EXPECT_EQ(got[key].records, w.records) << key.first << " " << key.second;
  }
  const Counted allocated = got[{usage_type::kAllocatedVm, "missing_in_java"}];
  EXPECT_NEAR(allocated.usaged, 36, 1e-9);
}

TEST_P(CompareTest, ADifferenceWithoutACauseIsListedFirstAndExitsOne) {
  const std::string engine = GetParam();
  FreshDatabase db(engine);
  int64_t changed = 0;
  {
    auto conn = CreateCloudStackSchema(engine, db.url());
    WriteSeedHistory(*conn);
    changed = *conn->QueryInt("SELECT max(id) FROM ${usage}.cloud_usage WHERE usage_type = 13 "
                              "AND vm_instance_id = 457");
    conn->Run("UPDATE ${usage}.cloud_usage SET description = 'edited' WHERE id = ?", changed);
  }
  CliResult r = Compare(db.url(), "2026-02-02 00:00:00", "2026-02-03 00:10:00");
  EXPECT_EQ(r.exit_code, 1) << r.err;
  const json report = json::parse(r.out);
  EXPECT_EQ(report.at("unexplained"), 1);
  const json& first = report.at("differences").at(0);
  EXPECT_EQ(first.at("class"), "unexplained");
  EXPECT_EQ(first.at("kind"), "different_columns");
  EXPECT_EQ(first.at("java_ids"), json::array({changed}));
  EXPECT_NE(first.at("detail").get<std::string>().find("description: Java 'edited'"),
            std::string::npos);

  // The same in the other formats.
  CliResult table = Compare(db.url(), "2026-02-02 00:00:00", "2026-02-03 00:10:00",
                            {"--format", "table"});
  EXPECT_EQ(table.exit_code, 1);
  EXPECT_NE(table.out.find("1 unexplained (listed first)"), std::string::npos) << table.out;
  CliResult csv = Compare(db.url(), "2026-02-02 00:00:00", "2026-02-03 00:10:00",
                          {"--format", "csv"});
  EXPECT_EQ(csv.exit_code, 1);
  EXPECT_NE(csv.out.find("difference,"), std::string::npos);
}

TEST_P(CompareTest, BadRequestsAreRefusedWithTheReason) {
  const std::string engine = GetParam();
  FreshDatabase db(engine);
  WriteSeedHistory(*CreateCloudStackSchema(engine, db.url()));
  auto compare = [&](const std::string& start, const std::string& end,
                     std::vector<std::string> extra) {
    std::vector<std::string> args = {"--db",   db.url(), "compare", "--start", start,
                                     "--end",  end,      "--now",   "2026-02-03 00:10:00"};
    args.insert(args.end(), extra.begin(), extra.end());
    return RunCli(args);
  };
  const std::string usage_db =
      engine == "mariadb" ? store::ParseMariaDbUrl(db.url()).usage_db : "cloud_usage";
  struct Case {
    std::string start, end;
    std::vector<std::string> extra;
    std::string message;
  };
  const Case cases[] = {
      {"2026-01-13 00:00:00", "2026-01-20 00:00:00", {"--type", "17"}, "unknown usage type 17"},
      {"2026-01-20 00:00:00", "2026-01-13 00:00:00", {}, "empty or inverted"},
      {"2026-02-05 00:00:00", "2026-02-09 00:00:00", {}, "no complete aggregation window"},
      {"2026-01-13 00:00:00", "2026-01-20 00:00:00", {"--account", "99"}, "unknown account 99"},
      {"2026-01-13 00:00:00", "2026-01-20 00:00:00", {"--domain", "42"}, "unknown domain 42"},
      {"2026-01-13 00:00:00", "2026-01-20 00:00:00", {"--shadow", usage_db},
       "cannot be CloudStack's"},
      {"2026-01-13 00:00:00", "2026-01-20 00:00:00", {"--shadow", "a-b"},
       "invalid shadow database name"},
      {"2026-01-13 00:00:00", "2026-01-20 00:00:00", {"--hours", "fast"}, "invalid --hours"},
  };
  const std::string before = DumpDatabases(engine, db.url());
  for (const auto& c : cases) {
    CliResult r = compare(c.start, c.end, c.extra);
    EXPECT_EQ(r.exit_code, 2) << c.message << ": " << r.err;
    EXPECT_NE(r.err.find(c.message), std::string::npos) << r.err;
  }
  EXPECT_EQ(DumpDatabases(engine, db.url()), before);
}

INSTANTIATE_TEST_SUITE_P(Engines, CompareTest, ::testing::ValuesIn(TestEngines()));

}  // namespace
}  // namespace usaged::testing
