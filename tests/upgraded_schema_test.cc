// usaged on the schema CloudStack's own install and upgrade path leaves
// (tests/fixtures/cloudstack_4_21_upgraded.sql), not only on usaged's fresh
// DDL: a history of every usage family is billed, checked, repaired (dry run)
// and usaged is removed again without a trace in the schema; usaged's DDL of
// CloudStack's tables is compared with the fixture; accounts that CloudStack
// takes but its cloud_usage copy cannot hold do not stop billing. And every
// schema migration survives being run twice, as MariaDB leaves it after a
// crash in the middle of one (each DDL statement commits on its own).
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <map>
#include <sstream>

#include "core/time.h"
#include "sim/cloud_writer.h"
#include "store/mariadb/mariadb_params.h"
#include "store/migrator.h"
#include "store/schema_files.h"
#include "store/sql_text.h"
#include "store/store.h"
#include "support/test_env.h"

namespace usaged::testing {
namespace {

const std::string kFixture =
    std::string(USAGED_SOURCE_DIR) + "/tests/fixtures/cloudstack_4_21_upgraded.sql";

std::string TrimRight(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ' || s.back() == '\r')) s.pop_back();
  return s;
}

// The fixture's CREATE TABLE statements by "cloud.table" / "usage.table".
std::map<std::string, std::string> FixtureTables() {
  std::map<std::string, std::string> out;
  for (const auto& statement : store::SplitSqlStatements(ReadFile(kFixture))) {
    for (const std::string db : {"cloud", "usage"}) {
      const std::string prefix = "CREATE TABLE ${" + db + "}.`";
      if (statement.rfind(prefix, 0) != 0) continue;
      size_t end = statement.find('`', prefix.size());
      std::string table = statement.substr(prefix.size(), end - prefix.size());
      // MariaDB prints the name alone: the text SHOW CREATE TABLE gives.
      out[db + "." + table] = "CREATE TABLE `" + table + "`" + TrimRight(statement.substr(end + 1));
    }
  }
  return out;
}

class UpgradedSchemaTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (TestEngines().size() < 2) GTEST_SKIP() << "USAGED_TEST_MARIADB_URL is not set";
  }

  // Creates the two databases of `url` and loads the fixture into them.
  static void LoadFixture(const std::string& url) {
    auto conn = store::OpenStore(url)->Connect(/*create=*/true);
    for (const auto& statement : store::SplitSqlStatements(ReadFile(kFixture))) {
      conn->Exec(statement);
    }
  }

  // usaged's own DDL of CloudStack's tables (migrations 1 and 2), applied
  // outside usaged: the fresh shape.
  static void LoadFreshShape(const std::string& url) {
    auto conn = store::OpenStore(url)->Connect(/*create=*/true);
    for (const auto& f : store::EmbeddedSchemaFiles()) {
      if (f.path != "mariadb/0001_cloudstack_cloud.up.sql" &&
          f.path != "mariadb/0002_cloudstack_usage.up.sql") {
        continue;
      }
      for (const auto& statement : store::SplitSqlStatements(f.text)) conn->Exec(statement);
    }
  }

  // SHOW CREATE TABLE of every table of both databases, by "cloud.table" /
  // "usage.table", without AUTO_INCREMENT counters (they count rows).
  static std::map<std::string, std::string> Schema(const std::string& url) {
    auto params = store::ParseMariaDbUrl(url);
    auto conn = store::OpenStore(url)->Connect(false);
    std::map<std::string, std::string> out;
    for (const auto& [key, db] : {std::pair<std::string, std::string>{"cloud", params.cloud_db},
                                  {"usage", params.usage_db}}) {
      for (const auto& t : QueryColumn(*conn, "SELECT table_name FROM information_schema.tables "
                                              "WHERE table_schema = '" + db + "'")) {
        auto& q = conn->Prepare("SHOW CREATE TABLE `" + db + "`.`" + t + "`");
        if (q.Next()) {
          std::string ddl = q.Text(1);
          auto pos = ddl.find(" AUTO_INCREMENT=");
          if (pos != std::string::npos) ddl.erase(pos, ddl.find(' ', pos + 1) - pos);
          out[key + "." + t] = ddl;
        }
        q.Reset();
      }
    }
    return out;
  }
};

// One resource of every family, alive from 2026-01-13 over three daily
// windows, and statistics counters that grow every day.
struct Expected {
  int usage_type;
  int64_t usage_id;
  std::vector<double> hours;  // raw_usage of 01-13, 01-14, 01-15
};

void WriteHistory(store::Connection& conn) {
  sim::CloudWriter cloud(conn);
  const int64_t root = cloud.AddDomain("ROOT", std::nullopt);
  const int64_t acct = cloud.AddAccount("acme", root);
  ASSERT_EQ(acct, 1);
  auto at = [](const char* t) { return ParseUtc(t); };
  auto event = [&](const char* type, const char* when, int64_t resource) {
    return sim::ResourceEvent(type, acct, at(when), resource);
  };
  sim::EventSpec e = event("VM.CREATE", "2026-01-13 06:00:00", 7);
  e.resource_name = "web-1";
  e.offering_id = 10;
  e.template_id = 200;
  e.resource_type = "KVM";
  cloud.AddEvent(e);
  e.type = "VM.START";
  e.created = at("2026-01-13 12:00:00");
  cloud.AddEvent(e);
  e.type = "VM.STOP";
  e.created = at("2026-01-15 12:00:00");
  cloud.AddEvent(e);

  e = event("NET.IPASSIGN", "2026-01-13 06:00:00", 301);
  e.resource_name = "203.0.113.10";
  e.size = 1;
  e.resource_type = "VirtualNetwork";
  e.template_id = 0;
  cloud.AddEvent(e);
  e.type = "NET.IPRELEASE";
  e.created = at("2026-01-14 18:00:00");
  cloud.AddEvent(e);

  e = event("VOLUME.CREATE", "2026-01-13 12:00:00", 501);
  e.resource_name = "DATA-7";
  e.offering_id = 3;
  e.size = 10737418240;
  cloud.AddEvent(e);
  e = event("VOLUME.UPLOAD", "2026-01-13 10:00:00", 502);
  e.resource_name = "upload";
  e.size = 1073741824;
  cloud.AddEvent(e);

  e = event("TEMPLATE.CREATE", "2026-01-13 06:00:00", 601);
  e.resource_name = "ubuntu";
  e.size = 2147483648;
  e.virtual_size = 10737418240;
  cloud.AddEvent(e);
  e = event("ISO.CREATE", "2026-01-13 18:00:00", 602);
  e.resource_name = "rescue";
  e.size = 734003200;
  cloud.AddEvent(e);
  e = event("SNAPSHOT.CREATE", "2026-01-13 00:00:00", 603);
  e.resource_name = "daily";
  e.size = 5368709120;
  e.virtual_size = 21474836480;
  cloud.AddEvent(e);
  e = event("SNAPSHOT.DELETE", "2026-01-15 06:00:00", 603);
  e.resource_name = "daily";
  cloud.AddEvent(e);

  e = event("NETWORK.OFFERING.ASSIGN", "2026-01-13 06:00:00", 7);
  e.resource_name = "9001";
  e.offering_id = 39;
  e.size = 1;
  cloud.AddEvent(e);
  e = event("SG.ASSIGN", "2026-01-13 06:00:00", 7);
  e.offering_id = 8;
  cloud.AddEvent(e);
  e = event("LB.CREATE", "2026-01-13 06:00:00", 801);
  e.resource_name = "web-lb";
  cloud.AddEvent(e);
  cloud.AddEvent(event("NET.RULEADD", "2026-01-13 06:00:00", 901));
  e = event("VPN.USER.ADD", "2026-01-13 06:00:00", 61);
  e.resource_name = "alice";
  cloud.AddEvent(e);

  e = event("VMSNAPSHOT.CREATE", "2026-01-13 06:00:00", 7);
  e.resource_name = "snap1";
  e.template_id = 501;
  e.size = 1073741824;
  e.details["vmSnapshotId"] = "900";
  cloud.AddEvent(e);
  e = event("VMSNAPSHOT.ON_PRIMARY", "2026-01-13 09:00:00", 7);
  e.resource_name = "i-2-7-VM_VS_20260113090000";
  e.size = 209715200;
  e.virtual_size = 21474836480;
  e.details["vmSnapshotId"] = "900";
  cloud.AddEvent(e);
  e = event("BACKUP.OFFERING.ASSIGN", "2026-01-13 06:00:00", 7);
  e.resource_name = "Backup-web-7";
  e.offering_id = 5;
  e.resource_type = "Backup";
  cloud.AddEvent(e);
  e = event("NETWORK.CREATE", "2026-01-13 06:00:00", 904);
  e.resource_name = "tier-1";
  e.offering_id = 40;
  cloud.AddEvent(e);
  e = event("VPC.CREATE", "2026-01-13 06:00:00", 5);
  e.resource_name = "prod-vpc";
  cloud.AddEvent(e);
}

// The statistics counters as CloudStack's collectors leave them on day `day`
// (0, 1, 2): totals of 1, 3 and 6 times a base, so the daily deltas are 1, 2
// and 3 times it.
void WriteStatistics(store::Connection& conn, int day) {
  const int64_t n = (day + 1) * (day + 2) / 2;  // 1, 3, 6: deltas 1, 2, 3
  if (day == 0) {
    conn.Exec("INSERT INTO ${cloud}.user_statistics (id, data_center_id, account_id, "
              "public_ip_address, device_id, device_type, network_id) VALUES (1, 1, 1, "
              "'203.0.113.10', 40, 'DomainRouter', 204)");
    conn.Exec("INSERT INTO ${cloud}.vm_disk_statistics (id, data_center_id, account_id, vm_id, "
              "volume_id) VALUES (1, 1, 1, 7, 501)");
    conn.Exec("INSERT INTO ${cloud}.bucket_statistics (id, account_id, bucket_id) "
              "VALUES (1, 1, 950)");
  }
  conn.Run("UPDATE ${cloud}.user_statistics SET agg_bytes_sent = ?, agg_bytes_received = ? "
           "WHERE id = 1",
           1000 * n, 5000 * n);
  conn.Run("UPDATE ${cloud}.vm_disk_statistics SET agg_io_read = ?, agg_io_write = ?, "
           "agg_bytes_read = ?, agg_bytes_write = ? WHERE id = 1",
           10 * n, 20 * n, 4096 * n, 8192 * n);
  conn.Run("UPDATE ${cloud}.bucket_statistics SET size = ? WHERE id = 1", 1073741824 * n);
}

const std::vector<Expected>& ExpectedRecords() {
  static const std::vector<Expected> kExpected = {
      {1, 7, {12, 24, 12}},      // running VM
      {2, 7, {18, 24, 24}},      // allocated VM
      {3, 301, {18, 18}},        // IP address, released on 01-14 18:00
      {4, 40, {1000, 2000, 3000}},   // network bytes sent
      {5, 40, {5000, 10000, 15000}},  // network bytes received
      {6, 501, {12, 24, 24}},    // volume
      {7, 601, {18, 24, 24}},    // template
      {8, 602, {6, 24, 24}},     // ISO
      {9, 603, {24, 24, 6}},     // snapshot, deleted on 01-15 06:00
      {10, 8, {18, 24, 24}},     // security group
      {11, 801, {18, 24, 24}},   // load balancer policy
      {12, 901, {18, 24, 24}},   // port forwarding rule
      {13, 1, {18, 24, 24}},     // network offering (usage_id: is_default)
      {14, 61, {18, 24, 24}},    // VPN user
      {21, 501, {10, 20, 30}},   // disk I/O read
      {22, 501, {20, 40, 60}},   // disk I/O write
      {23, 501, {4096, 8192, 12288}},   // disk bytes read
      {24, 501, {8192, 16384, 24576}},  // disk bytes write
      {25, 900, {18, 24, 24}},   // VM snapshot
      {26, 502, {14, 24, 24}},   // uploaded volume
      {27, 900, {15, 24, 24}},   // VM snapshot on primary
      {28, 7, {18, 24, 24}},     // backup
      {29, 950, {1073741824, 3221225472, 6442450944}},  // bucket size
      {30, 904, {18, 24, 24}},   // network
      {31, 5, {18, 24, 24}},     // VPC
  };
  return kExpected;
}

TEST_F(UpgradedSchemaTest, BillsEveryFamilyAndMigrateDownRestoresTheUpgradedSchema) {
  FreshDatabase db("mariadb");
  LoadFixture(db.url());
  const auto before = Schema(db.url());
  {
    auto conn = store::OpenStore(db.url())->Connect(false);
    WriteHistory(*conn);
  }
  ASSERT_FALSE(HasFatalFailure());

  CliResult init = RunCli({"--db", db.url(), "init"});
  ASSERT_EQ(init.exit_code, 0) << init.err;
  const char* kRuns[][2] = {{"2026-01-14 00:10:00", "2026-01-14 06:00:00"},
                            {"2026-01-15 00:10:00", "2026-01-15 06:00:00"},
                            {"2026-01-16 00:10:00", "2026-01-16 06:00:00"}};
  for (int day = 0; day < 3; ++day) {
    {
      auto conn = store::OpenStore(db.url())->Connect(false);
      WriteStatistics(*conn, day);
    }
    for (const char* now : kRuns[day]) {
      CliResult run = RunCli({"--db", db.url(), "run", "--once", "--now", now});
      ASSERT_EQ(run.exit_code, 0) << now << "\n" << run.err;
    }
  }

  auto conn = store::OpenStore(db.url())->Connect(false);
  EXPECT_EQ(QueryCount(*conn, "SELECT count(*) FROM ${usage}.usaged_quarantine"), 0)
      << fmt::format("{}", fmt::join(QueryColumn(*conn, "SELECT reason FROM "
                                                        "${usage}.usaged_quarantine"), "\n"));
  const char* kDays[] = {"2026-01-13", "2026-01-14", "2026-01-15"};
  size_t expected_total = 0;
  for (const auto& e : ExpectedRecords()) {
    for (size_t d = 0; d < e.hours.size(); ++d) {
      SCOPED_TRACE(fmt::format("usage_type {} usage_id {} on {}", e.usage_type, e.usage_id,
                               kDays[d]));
      auto raw = QueryColumn(
          *conn, fmt::format("SELECT raw_usage FROM ${{usage}}.cloud_usage WHERE usage_type = {} "
                             "AND usage_id = {} AND date(start_date) = '{}'",
                             e.usage_type, e.usage_id, kDays[d]));
      ASSERT_EQ(raw.size(), 1u);
      EXPECT_EQ(std::strtod(raw[0].c_str(), nullptr), e.hours[d]);
      ++expected_total;
    }
  }
  // Nothing else was billed: no record of another resource, type or window.
  EXPECT_EQ(QueryCount(*conn, "SELECT count(*) FROM ${usage}.cloud_usage"),
            static_cast<int64_t>(expected_total));

  TempDir logs;
  CliResult sanity = RunCli({"--db", db.url(), "--log-dir", logs.path(), "sanity", "--start",
                             "2026-01-13", "--end", "2026-01-16", "--format", "csv", "--now",
                             "2026-01-16 07:00:00"});
  EXPECT_EQ(sanity.exit_code, 0) << sanity.out << sanity.err;
  CliResult repair = RunCli({"--db", db.url(), "repair", "--dry-run", "--format", "csv", "--now",
                             "2026-01-16 07:00:00"});
  ASSERT_EQ(repair.exit_code, 0) << repair.err;
  // The header and the checkpoint row only: no finding.
  std::istringstream lines(repair.out);
  std::vector<std::string> rows;
  for (std::string line; std::getline(lines, line);) {
    if (!line.empty()) rows.push_back(line);
  }
  ASSERT_EQ(rows.size(), 2u) << repair.out;
  EXPECT_EQ(rows[1].rfind("usaged,checkpoint,", 0), 0u) << repair.out;

  CliResult down = RunCli({"--db", db.url(), "migrate", "--down", "--yes"});
  ASSERT_EQ(down.exit_code, 0) << down.err;
  EXPECT_EQ(Schema(db.url()), before);
}

// MariaDB commits each DDL statement on its own, so a migration that stops
// half-way (a crash, a lost connection) is run again from its first
// statement. Every statement of every migration, up and down, must therefore
// succeed a second time and leave what one run leaves, on the upgraded shape
// and on the fresh one.
TEST_F(UpgradedSchemaTest, EveryMigrationStatementCanRunTwiceOnBothShapes) {
  for (const bool upgraded : {true, false}) {
    SCOPED_TRACE(upgraded ? "upgraded shape" : "fresh shape");
    auto load = upgraded ? &LoadFixture : &LoadFreshShape;
    FreshDatabase reference("mariadb");
    load(reference.url());
    const auto base = Schema(reference.url());
    CliResult init = RunCli({"--db", reference.url(), "init"});
    ASSERT_EQ(init.exit_code, 0) << init.err;
    const auto migrated = Schema(reference.url());

    FreshDatabase db("mariadb");
    load(db.url());
    auto conn = store::OpenStore(db.url())->Connect(false);
    store::Migrator migrator(*conn);
    ASSERT_EQ(migrator.CurrentVersion(), 0);  // creates the version table
    for (const auto& m : migrator.migrations()) {
      for (int pass = 0; pass < 2; ++pass) {
        for (const auto& statement : store::SplitSqlStatements(m.up_sql)) {
          EXPECT_NO_THROW(conn->Exec(statement))
              << "migration " << m.version << " pass " << pass << ": " << statement;
        }
      }
      conn->Run("INSERT INTO ${usage}.usaged_schema_version (version, name, applied_at) "
                "VALUES (?, ?, ?)",
                m.version, m.name, ParseUtc("2026-01-01 00:00:00"));
    }
    EXPECT_EQ(Schema(db.url()), migrated);

    const auto& all = migrator.migrations();
    for (auto it = all.rbegin(); it != all.rend() && it->down_sql; ++it) {
      for (int pass = 0; pass < 2; ++pass) {
        for (const auto& statement : store::SplitSqlStatements(*it->down_sql)) {
          EXPECT_NO_THROW(conn->Exec(statement))
              << "rollback of " << it->version << " pass " << pass << ": " << statement;
        }
      }
    }
    conn->Exec("DROP TABLE ${usage}.usaged_schema_version");
    EXPECT_EQ(Schema(db.url()), base);
  }
}

// usaged creates CloudStack's tables only where they are missing (migrations
// 1 and 2); what it creates must be what CloudStack's upgrade path leaves, or
// usaged would be tested, and would run, on a schema no CloudStack has. Two
// differences are deliberate: the account table's foreign keys to tables usaged
// does not know (data_center, roles; and domain with them), and CloudStack's
// quota tables, which usaged does not use.
TEST_F(UpgradedSchemaTest, FreshDdlIsTheUpgradedSchema) {
  FreshDatabase upgraded("mariadb");
  LoadFixture(upgraded.url());
  FreshDatabase fresh("mariadb");
  LoadFreshShape(fresh.url());
  auto expected = Schema(upgraded.url());
  const auto actual = Schema(fresh.url());
  for (auto it = expected.begin(); it != expected.end();) {
    it = it->first.rfind("usage.quota_", 0) == 0 ? expected.erase(it) : std::next(it);
  }
  std::string account;
  std::istringstream lines(expected["cloud.account"]);
  for (std::string line; std::getline(lines, line);) {
    if (line.find("CONSTRAINT `fk_account__") != std::string::npos ||
        line.find("KEY `fk_account__default_zone_id`") != std::string::npos) {
      continue;
    }
    account += (account.empty() ? "" : "\n") + line;
  }
  // The key before the dropped constraints loses its trailing comma.
  auto last = account.rfind(",\n)");
  if (last != std::string::npos) account.erase(last, 1);
  expected["cloud.account"] = account;
  ASSERT_EQ(actual.size(), expected.size());
  for (const auto& [table, ddl] : expected) EXPECT_EQ(actual.at(table), ddl) << table;
}

// CloudStack's account table takes what its copy in cloud_usage cannot hold
// (on both shapes): names with characters outside the BMP (account_name is
// utf8mb4 in `cloud` only) and network domains of up to 190 characters
// (NetUtils.java:1108; cloud_usage.account.network_domain holds 100). Such an
// account must not stop billing: usaged reads only id, domain_id and removed
// from the copy, so the copy takes what fits.
TEST_F(UpgradedSchemaTest, AccountsTheUsageCopyCannotHoldDoNotStopBilling) {
  const std::string emoji = "\xF0\x9F\x98\x80";  // U+1F600, four bytes in UTF-8
  const std::string domain = std::string(90, 'd') + "." + std::string(99, 'e');
  for (const bool upgraded : {true, false}) {
    SCOPED_TRACE(upgraded ? "upgraded shape" : "fresh shape");
    FreshDatabase db("mariadb");
    (upgraded ? &LoadFixture : &LoadFreshShape)(db.url());
    {
      auto conn = store::OpenStore(db.url())->Connect(false);
      sim::CloudWriter cloud(*conn);
      const int64_t account = cloud.AddAccount("team", cloud.AddDomain("ROOT", std::nullopt));
      conn->Run("UPDATE ${cloud}.account SET account_name = ?, network_domain = ? WHERE id = ?",
                "team " + emoji, domain, account);
      sim::EventSpec e =
          sim::ResourceEvent("NET.IPASSIGN", account, ParseUtc("2026-01-13 06:00:00"), 301);
      e.resource_name = "203.0.113.10";
      e.size = 1;
      cloud.AddEvent(e);
    }
    ASSERT_EQ(RunCli({"--db", db.url(), "init"}).exit_code, 0);
    CliResult run = RunCli({"--db", db.url(), "run", "--once", "--now", "2026-01-14 00:10:00"});
    ASSERT_EQ(run.exit_code, 0) << run.err;
    auto conn = store::OpenStore(db.url())->Connect(false);
    EXPECT_EQ(QueryColumn(*conn, "SELECT raw_usage FROM ${usage}.cloud_usage"),
              std::vector<std::string>{"18"});
    EXPECT_EQ(QueryColumn(*conn, "SELECT account_name FROM ${usage}.account"),
              std::vector<std::string>{"team ?"});
    EXPECT_EQ(QueryColumn(*conn, "SELECT network_domain FROM ${usage}.account"),
              std::vector<std::string>{domain.substr(0, 100)});
  }
}

TEST_F(UpgradedSchemaTest, FixtureIsMariaDbsOwnTextOfItsTables) {
  FreshDatabase db("mariadb");
  LoadFixture(db.url());
  auto fixture = FixtureTables();
  ASSERT_EQ(fixture.size(), 39u);  // 31 cloud_usage tables, 8 cloud tables
  auto schema = Schema(db.url());
  ASSERT_EQ(schema.size(), fixture.size());
  for (const auto& [table, ddl] : fixture) EXPECT_EQ(schema[table], ddl) << table;
}

}  // namespace
}  // namespace usaged::testing
