// `usaged repair` on a database the Java usage server damaged the way the seed
// bug report describes: every daily job re-billed the whole history since
// 2026-01-13 00:00:37 (duplicates growing by one a day, types 1, 2 and 13),
// failed jobs with start 2026-03-15 00:00:00 after end 2026-03-14 23:59:59.999,
// a job that never finished, duplicate events and duplicate / overlapping
// helper rows. The database starts as CloudStack's schema only, as on a real
// installation.
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <signal.h>

#include <map>
#include <set>
#include <tuple>

#include "core/usage_types.h"
#include "maintain/record_checks.h"
#include "store/mariadb/mariadb_params.h"
#include "store/schema_files.h"
#include "store/sql_text.h"
#include "support/cloudstack_db.h"
#include "support/test_env.h"

namespace usaged::testing {
namespace {

constexpr int kJobs = 61;  // daily jobs 2026-01-14 .. 2026-03-15
constexpr int64_t kSurplusPerSeries = kJobs * (kJobs + 1) / 2 - kJobs;  // 1830
const Instant kFirstStart = ParseUtc("2026-01-13 00:00:37");
const Instant kDay0 = ParseUtc("2026-01-13 00:00:00");

// One resource's daily records as the Java server wrote them.
struct Series {
  int64_t account;
  int usage_type;
  int64_t vm;
  double first_day_hours;
};
const Series kSeries[] = {{5, usage_type::kNetworkOffering, 456, (86400.0 - 37.0) / 3600.0},
                          {6, usage_type::kNetworkOffering, 457, (86400.0 - 37.0) / 3600.0},
                          {5, usage_type::kAllocatedVm, 500, 16.0},
                          {5, usage_type::kRunningVm, 500, 16.0}};

Instant Day(int k) { return kDay0 + std::chrono::hours(24 * k); }

std::string Sql(Instant t) { return "'" + FormatUtc(t) + "'"; }

std::string RecordValues(const Series& s, int window, double raw) {
  Instant start = window == 0 ? kFirstStart : Day(window);
  Instant end = Day(window + 1) - std::chrono::seconds(1);
  bool vm = s.usage_type != usage_type::kNetworkOffering;
  std::string description =
      vm ? fmt::format("vm{} {} (ServiceOffering: 10) (Template: 200)", s.vm,
                       s.usage_type == usage_type::kRunningVm ? "running time" : "allocated")
         : fmt::format("Network offering:39 for Vm : {} usage time", s.vm);
  return fmt::format("(1, {}, 1, '{}', '{} Hrs', {}, {}, {}, {}, {}, {}, {}, {}, {}, {})",
                     s.account, description, raw, s.usage_type, raw, s.vm,
                     vm ? fmt::format("'vm{}'", s.vm) : "NULL", vm ? 10 : 39,
                     vm ? "200" : "NULL", vm ? s.vm : 1, vm ? "'KVM'" : "NULL", Sql(start),
                     Sql(end));
}

// The Java server's history: what its 61 daily jobs wrote.
void WriteJavaHistory(store::Connection& conn) {
  conn.Exec("INSERT INTO ${cloud}.domain (id, name, uuid, owner, path) VALUES (1, 'ROOT', 'r', "
            "2, '/')");
  conn.Exec("INSERT INTO ${cloud}.account (id, account_name, uuid, type, domain_id) VALUES "
            "(5, 'a5', 'u5', 0, 1), (6, 'a6', 'u6', 0, 1)");
  conn.Exec("INSERT INTO ${usage}.account (id, account_name, uuid, type, domain_id) "
            "SELECT id, account_name, uuid, type, domain_id FROM ${cloud}.account");

  store::Transaction tx(conn);
  // Job d re-billed windows 0 .. d-1: window k holds kJobs - k copies.
  std::string prefix =
      "INSERT INTO ${usage}.cloud_usage (zone_id, account_id, domain_id, description, "
      "usage_display, usage_type, raw_usage, vm_instance_id, vm_name, offering_id, "
      "template_id, usage_id, type, start_date, end_date) VALUES ";
  for (int job = 1; job <= kJobs; ++job) {
    std::string values;
    for (const Series& s : kSeries) {
      for (int k = 0; k < job; ++k) {
        values += (values.empty() ? "" : ", ") +
                  RecordValues(s, k, k == 0 ? s.first_day_hours : 24.0);
      }
    }
    conn.Exec(prefix + values);
    Instant end = Day(job) - std::chrono::milliseconds(1);
    conn.Exec(fmt::format(
        "INSERT INTO ${{usage}}.usage_job (host, pid, job_type, scheduled, start_millis, "
        "end_millis, exec_time, start_date, end_date, success, heartbeat) VALUES ('java', 7, 0, "
        "0, {}, {}, 900, {}, {}, 1, {})",
        ToEpochMillis(kFirstStart), ToEpochMillis(end), Sql(kFirstStart), Sql(end),
        Sql(Day(job) + std::chrono::minutes(15))));
  }
  // A later copy of one record whose hours differ: a conflict, not a copy.
  conn.Exec(prefix + RecordValues(kSeries[0], 7, 23.5));
  // Jobs that found lastSuccess + 1 after their end, and one that never ended.
  for (int i = 1; i <= 3; ++i) {
    conn.Exec(fmt::format(
        "INSERT INTO ${{usage}}.usage_job (host, pid, job_type, scheduled, start_millis, "
        "end_millis, exec_time, start_date, end_date, success, heartbeat) VALUES ('java', 7, 1, "
        "0, {}, {}, 3, '2026-03-15 00:00:00', '2026-03-14 23:59:59', 0, '2026-03-15 0{}:15:00')",
        ToEpochMillis(Day(kJobs)), ToEpochMillis(Day(kJobs)) - 1, i));
  }
  conn.Exec("INSERT INTO ${usage}.usage_job (host, pid, job_type, scheduled, heartbeat) VALUES "
            "('java', 7, 0, 0, '2026-03-15 04:00:00')");
  // A run requested by generateUsageRecords and not taken yet: not damage.
  conn.Exec("INSERT INTO ${usage}.usage_job (host, pid, job_type, scheduled, heartbeat) VALUES "
            "('java', 7, 1, 0, '2026-03-16 08:00:00')");

  // Events (copied and applied by the Java server); 3 and 6 are duplicates.
  const char* events[] = {
      "(1, 'NETWORK.OFFERING.ASSIGN', 5, '2026-01-13 00:00:37', 1, 456, '9001', 39, NULL, 1, NULL)",
      "(2, 'NETWORK.OFFERING.ASSIGN', 6, '2026-01-13 00:00:37', 1, 457, '9002', 39, NULL, 1, NULL)",
      "(3, 'NETWORK.OFFERING.ASSIGN', 5, '2026-01-13 00:00:37', 1, 456, '9001', 39, NULL, 1, NULL)",
      "(4, 'VM.CREATE', 5, '2026-01-13 08:00:00', 1, 500, 'vm500', 10, 200, NULL, 'KVM')",
      "(5, 'VM.START', 5, '2026-01-13 08:00:00', 1, 500, 'vm500', 10, 200, NULL, 'KVM')",
      "(6, 'VM.START', 5, '2026-01-13 08:00:00', 1, 500, 'vm500', 10, 200, NULL, 'KVM')",
      "(7, 'NETWORK.OFFERING.ASSIGN', 6, '2026-03-14 10:00:00', 1, 457, '9002', 39, NULL, 1, NULL)"};
  for (const char* e : events) {
    const std::string cols = "(id, type, account_id, created, zone_id, resource_id, "
                             "resource_name, offering_id, template_id, size, resource_type";
    conn.Exec("INSERT INTO ${cloud}.usage_event " + cols + ") VALUES " + e);
    std::string processed = std::string(e);
    processed.insert(processed.size() - 1, ", 1");
    conn.Exec("INSERT INTO ${usage}.usage_event " + cols + ", processed) VALUES " + processed);
  }
  // Helper rows as the Java server left them: the duplicate event opened a
  // second row for VM 456, the second assignment of VM 457 overlaps the first.
  for (const char* row : {"(5, 456, 9001, '2026-01-13 00:00:37')", "(5, 456, 9001, '2026-01-13 00:00:37')",
                          "(6, 457, 9002, '2026-01-13 00:00:37')", "(6, 457, 9002, '2026-03-14 10:00:00')"}) {
    std::string r = row;
    conn.Exec("INSERT INTO ${usage}.usage_network_offering (zone_id, domain_id, "
              "network_offering_id, is_default, account_id, vm_instance_id, nic_id, created) "
              "VALUES (1, 1, 39, 1, " + r.substr(1));
  }
  for (int type : {usage_type::kAllocatedVm, usage_type::kRunningVm}) {
    conn.Exec(fmt::format("INSERT INTO ${{usage}}.usage_vm_instance (usage_type, zone_id, "
                          "account_id, vm_instance_id, vm_name, service_offering_id, "
                          "template_id, hypervisor_type, start_date) VALUES ({}, 1, 5, 500, "
                          "'vm500', 10, 200, 'KVM', '2026-01-13 08:00:00')",
                          type));
  }
  tx.Commit();
}

using FindingKey = std::tuple<std::string, std::string, std::string, std::string, std::string>;
struct Seen {
  int64_t rows;
  std::string first, last, action;
};

std::string Text(const nlohmann::json& v) {
  if (v.is_null()) return "";
  return v.is_string() ? v.get<std::string>() : v.dump();
}

// The JSON report by (table, problem, usage type, event type, account).
std::map<FindingKey, Seen> Findings(const std::string& json) {
  std::map<FindingKey, Seen> out;
  for (const auto& f : nlohmann::json::parse(json)) {
    FindingKey key{Text(f["table"]), Text(f["problem"]), Text(f["usage_type"]),
                   Text(f["event_type"]), Text(f["account_id"])};
    EXPECT_EQ(out.count(key), 0u) << f.dump();
    out[key] = {f["rows"].get<int64_t>(), Text(f["first"]), Text(f["last"]), Text(f["action"])};
  }
  return out;
}

void ExpectFinding(const std::map<FindingKey, Seen>& findings, const FindingKey& key,
                   int64_t rows, const std::string& first, const std::string& last,
                   const std::string& action) {
  auto it = findings.find(key);
  ASSERT_NE(it, findings.end()) << std::get<0>(key) << " " << std::get<1>(key) << " "
                                << std::get<2>(key) << " " << std::get<4>(key);
  EXPECT_EQ(it->second.rows, rows) << std::get<1>(key) << " " << std::get<2>(key);
  EXPECT_EQ(it->second.first, first) << std::get<1>(key);
  EXPECT_EQ(it->second.last, last) << std::get<1>(key);
  EXPECT_EQ(it->second.action, action) << std::get<1>(key);
}

// What the seed-like history must be reported as, before any change.
void ExpectSeedReport(const std::map<FindingKey, Seen>& f) {
  const std::string first = "2026-01-13 00:00:37";
  for (const Series& s : kSeries) {
    FindingKey dup{"cloud_usage", "duplicate", std::to_string(s.usage_type), "",
                   std::to_string(s.account)};
    ExpectFinding(f, dup, kSurplusPerSeries, first, "2026-03-13 23:59:59", "moved");
    FindingKey keyed{"cloud_usage", "without_natural_key", std::to_string(s.usage_type), "",
                     std::to_string(s.account)};
    ExpectFinding(f, keyed, kJobs, first, "2026-03-14 23:59:59", "keyed");
  }
  ExpectFinding(f, {"cloud_usage", "conflict", "13", "", "5"}, 1, "2026-01-20 00:00:00",
                "2026-01-20 23:59:59", "moved");
  ExpectFinding(f, {"usage_job", "inverted_range", "", "", ""}, 3, "2026-03-15 00:00:00",
                "2026-03-14 23:59:59", "moved");
  ExpectFinding(f, {"usage_job", "never_finished", "", "", ""}, 1, "2026-03-15 04:00:00",
                "2026-03-15 04:00:00", "moved");
  ExpectFinding(f, {"usage_event", "duplicate", "", "NETWORK.OFFERING.ASSIGN", "5"}, 1, first,
                first, "moved");
  ExpectFinding(f, {"usage_event", "duplicate", "", "VM.START", "5"}, 1, "2026-01-13 08:00:00",
                "2026-01-13 08:00:00", "moved");
  ExpectFinding(f, {"usage_network_offering", "duplicate_row", "13", "", "5"}, 1, first, "",
                "moved");
  ExpectFinding(f, {"usage_network_offering", "overlap", "13", "", "6"}, 1, first, "", "ended");
  ExpectFinding(f, {"usaged", "checkpoint", "", "", ""}, 0, "2026-03-15 00:00:00", "",
                "billing continues at first");
  EXPECT_EQ(f.size(), 2u * 4 + 8);
}

class RepairTest : public ::testing::TestWithParam<std::string> {};

TEST_P(RepairTest, RepairsASeedLikeJavaDatabaseOnceAndBillingContinuesWithoutGapOrCopy) {
  const std::string engine = GetParam();
  FreshDatabase db(engine);
  {
    auto conn = CreateCloudStackSchema(engine, db.url());
    WriteJavaHistory(*conn);
    ASSERT_FALSE(::testing::Test::HasFatalFailure());
    EXPECT_EQ(maintain::CountNetworkOfferingDuplicates(*conn), 2 * kSurplusPerSeries);
  }
  auto repair = [&](std::vector<std::string> extra) {
    std::vector<std::string> args = {"--db", db.url(), "--log-level", "warn", "repair",
                                     "--now", "2026-03-16 09:00:00", "--format", "json"};
    args.insert(args.end(), extra.begin(), extra.end());
    CliResult r = RunCli(args);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return r.out;
  };

  // On CloudStack's schema alone, before usaged is installed: a report, and
  // not one byte changed (not even usaged's version table).
  std::string before = DumpDatabases(engine, db.url());
  ExpectSeedReport(Findings(repair({"--dry-run"})));
  EXPECT_EQ(DumpDatabases(engine, db.url()), before);

  // Installed (rows get placeholder keys): the same report, still no change.
  ASSERT_EQ(RunCli({"--db", db.url(), "init"}).exit_code, 0);
  before = DumpDatabases(engine, db.url());
  ExpectSeedReport(Findings(repair({"--dry-run"})));
  EXPECT_EQ(DumpDatabases(engine, db.url()), before);

  ExpectSeedReport(Findings(repair({})));
  auto conn = store::OpenStore(db.url())->Connect(false);
  // Audit tables hold exactly the surplus; what remains is unique and keyed.
  EXPECT_EQ(QueryCount(*conn, "SELECT count(*) FROM ${usage}.cloud_usage"), 4 * kJobs);
  EXPECT_EQ(QueryCount(*conn, "SELECT count(*) FROM ${usage}.cloud_usage_removed"),
            4 * kSurplusPerSeries + 1);
  EXPECT_EQ(QueryCount(*conn, "SELECT count(*) FROM ${usage}.cloud_usage_removed r WHERE NOT "
                              "EXISTS (SELECT 1 FROM ${usage}.cloud_usage c WHERE "
                              "c.usage_type = r.usage_type AND c.account_id = r.account_id AND "
                              "c.vm_instance_id = r.vm_instance_id AND "
                              "c.start_date = r.start_date AND c.end_date = r.end_date)"),
            0);
  EXPECT_EQ(QueryCount(*conn, "SELECT count(*) FROM ${usage}.cloud_usage_removed WHERE "
                              "raw_usage = 23.5 AND reason LIKE 'conflicts with row %'"),
            1);
  EXPECT_EQ(QueryCount(*conn, "SELECT count(*) FROM ${usage}.cloud_usage WHERE usage_key IS "
                              "NULL OR usage_key LIKE 'legacy:%'"),
            0);
  EXPECT_EQ(maintain::CountNetworkOfferingDuplicates(*conn), 0);
  EXPECT_EQ(maintain::CountDuplicateRecords(*conn), 0);
  EXPECT_EQ(QueryColumn(*conn, "SELECT job_type FROM ${usage}.usage_job WHERE end_millis = 0 "
                               "OR start_millis > end_millis"),
            std::vector<std::string>{"1"});  // the requested run stays
  EXPECT_EQ(QueryCount(*conn, "SELECT count(*) FROM ${usage}.usage_job_removed"), 4);
  EXPECT_EQ(QueryColumn(*conn, "SELECT id FROM ${usage}.usage_event_removed ORDER BY id"),
            (std::vector<std::string>{"3", "6"}));
  EXPECT_EQ(QueryColumn(*conn, "SELECT id FROM ${usage}.usage_event ORDER BY id"),
            (std::vector<std::string>{"1", "2", "4", "5", "7"}));
  EXPECT_EQ(QueryCount(*conn, "SELECT count(*) FROM ${usage}.usage_network_offering_removed"), 1);
  EXPECT_EQ(QueryColumn(*conn, "SELECT deleted FROM ${usage}.usage_network_offering WHERE "
                               "vm_instance_id = 457 ORDER BY created"),
            (std::vector<std::string>{"2026-03-14 10:00:00", "NULL"}));

  // A second run finds nothing and changes nothing.
  before = DumpDatabases(engine, db.url());
  auto again = Findings(repair({}));
  EXPECT_EQ(again.size(), 1u);
  ExpectFinding(again, {"usaged", "checkpoint", "", "", ""}, 0, "2026-03-15 00:00:00", "",
                "billing continues at first");
  EXPECT_EQ(DumpDatabases(engine, db.url()), before);

  // Billing continues at the real end of the data: 03-15 is the first new
  // window, then 30 more daily runs, one record per resource and day.
  CliResult run = RunCli({"--db", db.url(), "run", "--once", "--now", "2026-03-18 00:10:00"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  for (int day = kJobs + 4; day < kJobs + 34; ++day) {  // 2026-03-19 .. 2026-04-17
    auto summary = RunAt(*conn, FormatUtc(Day(day) + std::chrono::minutes(10)));
    EXPECT_TRUE(summary.ok());
    EXPECT_EQ(summary.records, 4);
  }
  auto records = ReadRecords(*conn);
  std::map<std::string, int> per_window;
  for (const auto& r : records) {
    if (r.start_date < Day(kJobs)) continue;
    ++per_window[FormatUtc(r.start_date)];
    EXPECT_EQ(r.raw_usage, 24.0) << r.usage_type << " " << FormatUtc(r.start_date);
  }
  EXPECT_EQ(per_window.size(), 33u);  // 2026-03-15 .. 2026-04-16, no gap
  EXPECT_EQ(per_window.begin()->first, "2026-03-15 00:00:00");
  for (const auto& [window, n] : per_window) EXPECT_EQ(n, 4) << window;
  EXPECT_EQ(maintain::CountNetworkOfferingDuplicates(*conn), 0);
  EXPECT_EQ(maintain::CountDuplicateRecords(*conn), 0);
  // The events repair removed were not copied again from cloud.usage_event.
  EXPECT_EQ(QueryCount(*conn, "SELECT count(*) FROM ${usage}.usage_event"), 5);
}

// What a repair leaves: the rows kept (with their keys) and the copies made.
std::vector<std::vector<std::string>> Outcome(store::Connection& conn) {
  std::vector<std::vector<std::string>> out;
  for (const char* sql :
       {"SELECT id FROM ${usage}.cloud_usage ORDER BY id",
        "SELECT usage_key FROM ${usage}.cloud_usage ORDER BY id",
        "SELECT id FROM ${usage}.cloud_usage_removed ORDER BY id",
        "SELECT reason FROM ${usage}.cloud_usage_removed ORDER BY id",
        "SELECT id FROM ${usage}.usage_job ORDER BY id",
        "SELECT id FROM ${usage}.usage_job_removed ORDER BY id",
        "SELECT id FROM ${usage}.usage_event ORDER BY id",
        "SELECT id FROM ${usage}.usage_event_removed ORDER BY id",
        "SELECT deleted FROM ${usage}.usage_network_offering ORDER BY id",
        "SELECT id FROM ${usage}.usage_network_offering_removed ORDER BY id"}) {
    out.push_back(QueryColumn(conn, sql));
  }
  return out;
}

TEST_P(RepairTest, AKilledRepairLeavesEveryRowMovedOrUntouchedAndTheNextRunFinishes) {
  const std::string engine = GetParam();
  const int64_t total = 4 * (kJobs * (kJobs + 1) / 2) + 1;
  auto repair = [](const std::string& url, const std::string& faults) {
    return RunCli({"--db", url, "--log-level", "warn", "repair", "--now", "2026-03-16 09:00:00",
                   "--batch-rows", "500"},
                  {{"USAGED_FAULTS", faults}});
  };
  FreshDatabase reference(engine);
  WriteJavaHistory(*CreateCloudStackSchema(engine, reference.url()));
  ASSERT_EQ(repair(reference.url(), "").exit_code, 0);
  auto expected = Outcome(*store::OpenStore(reference.url())->Connect(false));

  // Transaction 1 moves job rows, 2 events, 3 and later batches of records.
  for (int crash : {1, 2, 5}) {
    FreshDatabase db(engine);
    WriteJavaHistory(*CreateCloudStackSchema(engine, db.url()));
    CliResult killed = repair(db.url(), "crash_repair_batch=" + std::to_string(crash));
    EXPECT_EQ(killed.signal, SIGKILL) << crash << killed.err;
    {
      auto conn = store::OpenStore(db.url())->Connect(false);
      EXPECT_EQ(QueryCount(*conn, "SELECT count(*) FROM ${usage}.cloud_usage") +
                    QueryCount(*conn, "SELECT count(*) FROM ${usage}.cloud_usage_removed"),
                total)
          << crash;
      EXPECT_EQ(QueryCount(*conn, "SELECT count(*) FROM ${usage}.cloud_usage_removed r JOIN "
                                  "${usage}.cloud_usage c ON c.id = r.id"),
                0);
      EXPECT_EQ(QueryCount(*conn, "SELECT count(*) FROM ${usage}.usage_job") +
                    QueryCount(*conn, "SELECT count(*) FROM ${usage}.usage_job_removed"),
                kJobs + 5);
    }
    CliResult resumed = repair(db.url(), "");
    ASSERT_EQ(resumed.exit_code, 0) << resumed.err;
    EXPECT_EQ(Outcome(*store::OpenStore(db.url())->Connect(false)), expected) << crash;
  }
}

TEST_P(RepairTest, RefusesWhileAUsageServerIsAlive) {
  const std::string engine = GetParam();
  FreshDatabase db(engine);
  CreateCloudStackSchema(engine, db.url())
      ->Exec("INSERT INTO ${usage}.usage_job (host, pid, job_type, scheduled, heartbeat) VALUES "
             "('java-host', 4242, 0, 0, '2026-03-16 08:58:00')");
  const std::string before = DumpDatabases(engine, db.url());
  std::vector<std::string> args = {"--db", db.url(), "repair", "--now", "2026-03-16 09:00:00"};
  CliResult refused = RunCli(args);
  EXPECT_EQ(refused.exit_code, 3);
  EXPECT_NE(refused.err.find("a usage server is running (java-host pid 4242"), std::string::npos)
      << refused.err;
  args.insert(args.end(), {"--dry-run", "--format", "csv"});
  CliResult report = RunCli(args);
  EXPECT_EQ(report.exit_code, 0) << report.err;
  EXPECT_NE(report.out.find("usage_job,server_running,,,,1,2026-03-16 08:58:00,2026-03-16 "
                            "08:58:00,stop it first"),
            std::string::npos)
      << report.out;
  EXPECT_EQ(DumpDatabases(engine, db.url()), before);  // neither changed anything
}

// NETWORK and VPN records as the Java server writes them: NETWORK one record
// per helper row (several may agree on every column but the hours), VPN users
// one per user id and name.
void WriteJavaPartRecords(store::Connection& conn) {
  conn.Exec("INSERT INTO ${cloud}.domain (id, name, uuid, owner, path) VALUES (1, 'ROOT', 'r', "
            "2, '/')");
  conn.Exec("INSERT INTO ${cloud}.account (id, account_name, uuid, type, domain_id) VALUES "
            "(5, 'a5', 'u5', 0, 1)");
  conn.Exec("INSERT INTO ${usage}.account (id, account_name, uuid, type, domain_id) "
            "SELECT id, account_name, uuid, type, domain_id FROM ${cloud}.account");
  auto network = [&](int64_t net, const char* state, double hours, int day) {
    conn.Exec(fmt::format(
        "INSERT INTO ${{usage}}.cloud_usage (zone_id, account_id, domain_id, description, "
        "usage_display, usage_type, raw_usage, offering_id, usage_id, size, state, start_date, "
        "end_date) VALUES (1, 5, 1, 'Network usage for network ID: {0}, network offering: 40', "
        "'{2} Hrs', 30, {2}, 40, {0}, 0, '{1}', '2026-01-{3} 00:00:00', '2026-01-{3} 23:59:59')",
        net, state, hours, day));
  };
  network(900, "Implemented", 6.0, 13);   // updated at 06:00 without a change
  network(900, "Implemented", 18.0, 13);
  network(900, "Allocated", 3.0, 13);     // another state: another key
  network(901, "Implemented", 6.0, 13);   // two equally long rows (or a copy)
  network(901, "Implemented", 6.0, 13);
  network(900, "Implemented", 24.0, 14);  // a window billed twice: 48 h in 24
  network(900, "Implemented", 24.0, 14);
  for (const auto& [name, hours] :
       {std::pair<const char*, double>{"carol", 1.0}, {"carol2", 21.0}}) {
    conn.Exec(fmt::format(
        "INSERT INTO ${{usage}}.cloud_usage (zone_id, account_id, domain_id, description, "
        "usage_display, usage_type, raw_usage, usage_id, start_date, end_date) VALUES (0, 5, 1, "
        "'VPN User: {0}, Id: 63 usage time', '{1} Hrs', 14, {1}, 63, '2026-01-13 00:00:00', "
        "'2026-01-13 23:59:59')",
        name, hours));
  }
}

TEST_P(RepairTest, KeepsJavaRecordsOfOneHelperRowEachAndMovesWhatOverfillsItsWindow) {
  const std::string engine = GetParam();
  FreshDatabase db(engine);
  WriteJavaPartRecords(*CreateCloudStackSchema(engine, db.url()));
  auto repair = [&] {
    CliResult r = RunCli({"--db", db.url(), "--log-level", "warn", "repair", "--now",
                          "2026-03-16 09:00:00", "--format", "json"});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return Findings(r.out);
  };
  auto findings = repair();
  ExpectFinding(findings, {"cloud_usage", "without_natural_key", "30", "", "5"}, 6,
                "2026-01-13 00:00:00", "2026-01-14 23:59:59", "keyed");
  ExpectFinding(findings, {"cloud_usage", "duplicate", "30", "", "5"}, 1, "2026-01-14 00:00:00",
                "2026-01-14 23:59:59", "moved");
  ExpectFinding(findings, {"cloud_usage", "possible_duplicate", "30", "", "5"}, 1,
                "2026-01-13 00:00:00", "2026-01-13 23:59:59", "kept");
  ExpectFinding(findings, {"cloud_usage", "without_natural_key", "14", "", "5"}, 2,
                "2026-01-13 00:00:00", "2026-01-13 23:59:59", "keyed");
  EXPECT_EQ(findings.count({"cloud_usage", "conflict", "30", "", "5"}), 0u);
  EXPECT_EQ(findings.count({"cloud_usage", "conflict", "14", "", "5"}), 0u);

  auto conn = store::OpenStore(db.url())->Connect(false);
  EXPECT_EQ(QueryCount(*conn, "SELECT count(*) FROM ${usage}.cloud_usage_removed"), 1);
  EXPECT_EQ(QueryCount(*conn, "SELECT count(*) FROM ${usage}.cloud_usage_removed WHERE "
                              "raw_usage = 24 AND reason LIKE '%longer than the window%'"),
            1);
  EXPECT_EQ(QueryCount(*conn, "SELECT count(*) FROM ${usage}.cloud_usage"), 8);
  EXPECT_EQ(QueryCount(*conn, "SELECT count(DISTINCT usage_key) FROM ${usage}.cloud_usage WHERE "
                              "usage_key NOT LIKE 'legacy:%'"),
            8);
  EXPECT_EQ(maintain::CountDuplicateRecords(*conn), 0);

  // A second run finds nothing and changes nothing.
  const std::string before = DumpDatabases(engine, db.url());
  EXPECT_EQ(repair().size(), 1u);  // the checkpoint line
  EXPECT_EQ(DumpDatabases(engine, db.url()), before);
}

INSTANTIATE_TEST_SUITE_P(Engines, RepairTest, ::testing::ValuesIn(TestEngines()));

}  // namespace
}  // namespace usaged::testing
