// usaged on a real CloudStack MariaDB: a schema CloudStack created, connection
// settings and errors, the server dying under a job.
#include <gtest/gtest.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>

#include <fcntl.h>

#include <filesystem>
#include <fstream>
#include <thread>

#include "alert/delivery.h"
#include "api/key_store.h"
#include "core/clock.h"
#include "maintain/record_checks.h"
#include "sim/random_cloud.h"
#include "store/mariadb/mariadb_params.h"
#include "store/migrator.h"
#include "store/schema_files.h"
#include "store/sql_text.h"
#include "support/scenario.h"
#include "support/test_env.h"

namespace usaged::testing {
namespace {

bool Contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

class MariaDbTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (TestEngines().size() < 2) GTEST_SKIP() << "USAGED_TEST_MARIADB_URL is not set";
    base_url_ = std::getenv("USAGED_TEST_MARIADB_URL");
  }

  // A connection without a default database, for administration.
  std::unique_ptr<store::Connection> Admin() {
    return store::OpenMariaDbStore(store::ParseMariaDbUrl(base_url_))->Connect(true);
  }

  // Every table's SHOW CREATE TABLE in both databases, sorted: the schema.
  std::string SchemaDump(const std::string& url) {
    auto params = store::ParseMariaDbUrl(url);
    auto admin = Admin();
    std::string dump;
    for (const auto& db : {params.cloud_db, params.usage_db}) {
      auto tables = QueryColumn(*admin, "SELECT table_name FROM information_schema.tables WHERE "
                                        "table_schema = '" + db + "' ORDER BY table_name");
      for (const auto& t : tables) {
        auto& q = admin->Prepare("SHOW CREATE TABLE `" + db + "`.`" + t + "`");
        if (q.Next()) {
          std::string ddl = q.Text(1);
          // AUTO_INCREMENT=n counts rows written, not schema.
          auto pos = ddl.find(" AUTO_INCREMENT=");
          if (pos != std::string::npos) ddl.erase(pos, ddl.find(' ', pos + 1) - pos);
          dump += ddl + ";\n";
        }
        q.Reset();
      }
    }
    return dump;
  }

  std::string base_url_;
};

// CloudStack's own DDL (the base migrations, written from CloudStack 4.21's
// schema) applied the way CloudStack's installer does, outside usaged.
void CreateCloudStackSchema(const std::string& url) {
  auto params = store::ParseMariaDbUrl(url);
  auto conn = store::OpenMariaDbStore(params)->Connect(/*create=*/true);
  for (const auto& f : store::EmbeddedSchemaFiles()) {
    if (f.path != "mariadb/0001_cloudstack_cloud.up.sql" &&
        f.path != "mariadb/0002_cloudstack_usage.up.sql") {
      continue;
    }
    for (const auto& statement : store::SplitSqlStatements(f.text)) conn->Exec(statement);
  }
}

TEST_F(MariaDbTest, WorksOnACloudStackSchemaAndMigrateDownRestoresIt) {
  FreshDatabase db("mariadb");
  CreateCloudStackSchema(db.url());
  {
    // History the Java server left: billed records, a successful job up to
    // 2026-02-04 23:59:59.999, and events it already processed.
    auto conn = store::OpenStore(db.url())->Connect(false);
    conn->Exec("INSERT INTO ${cloud}.domain (id, name, uuid, owner, path) VALUES (1, 'ROOT', 'r', 2, '/')");
    conn->Exec("INSERT INTO ${cloud}.account (id, account_name, uuid, type, domain_id) VALUES (5, 'a', 'u5', 0, 1)");
    conn->Exec("INSERT INTO ${usage}.cloud_usage (zone_id, account_id, domain_id, description, "
               "usage_display, usage_type, raw_usage, vm_instance_id, offering_id, usage_id, "
               "start_date, end_date) VALUES (1, 5, 1, 'Network offering:39 for Vm : 456 usage "
               "time', '24 Hrs', 13, 24, 456, 39, 1, '2026-02-04 00:00:00', '2026-02-04 23:59:59')");
    conn->Exec("INSERT INTO ${usage}.usage_job (host, pid, job_type, scheduled, start_millis, "
               "end_millis, exec_time, start_date, end_date, success, heartbeat) VALUES ('java', "
               "1, 0, 0, 1770163200000, 1770249599999, 10, '2026-02-04 00:00:00', '2026-02-04 "
               "23:59:59', 1, '2026-02-05 00:15:00')");
    conn->Exec("INSERT INTO ${cloud}.usage_event (id, type, account_id, created, zone_id, "
               "resource_id, resource_name, offering_id, size) VALUES (1, "
               "'NETWORK.OFFERING.ASSIGN', 5, '2026-02-01 10:00:00', 1, 456, '9001', 39, 1)");
    conn->Exec("INSERT INTO ${usage}.usage_event (id, type, account_id, created, zone_id, "
               "resource_id, resource_name, offering_id, size, processed) VALUES (1, "
               "'NETWORK.OFFERING.ASSIGN', 5, '2026-02-01 10:00:00', 1, 456, '9001', 39, 1, 1)");
    conn->Exec("INSERT INTO ${usage}.account (id, account_name, uuid, type, domain_id) VALUES (5, 'a', 'u5', 0, 1)");
    conn->Exec("INSERT INTO ${usage}.usage_network_offering (zone_id, account_id, domain_id, "
               "vm_instance_id, network_offering_id, is_default, created, nic_id) VALUES (1, 5, "
               "1, 456, 39, 1, '2026-02-01 10:00:00', 9001)");
  }
  const std::string before = SchemaDump(db.url());

  CliResult init = RunCli({"--db", db.url(), "init"});
  ASSERT_EQ(init.exit_code, 0) << init.err;
  CliResult run = RunCli({"--db", db.url(), "run", "--once", "--now", "2026-02-07 00:10:00"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  {
    auto conn = store::OpenStore(db.url())->Connect(false);
    // Billing continues after the Java server's last job: 02-05 and 02-06.
    EXPECT_EQ(QueryColumn(*conn, "SELECT start_date FROM ${usage}.cloud_usage ORDER BY start_date"),
              (std::vector<std::string>{"2026-02-04 00:00:00", "2026-02-05 00:00:00",
                                        "2026-02-06 00:00:00"}));
    EXPECT_EQ(QueryColumn(*conn, "SELECT usage_key FROM ${usage}.cloud_usage WHERE id = 1"),
              std::vector<std::string>{"legacy:1"});
    EXPECT_EQ(maintain::CountDuplicateRecords(*conn), 0);
  }

  CliResult down = RunCli({"--db", db.url(), "migrate", "--down", "--yes"});
  ASSERT_EQ(down.exit_code, 0) << down.err;
  EXPECT_EQ(SchemaDump(db.url()), before);
  // The data stays, billing history included.
  auto conn = store::OpenStore(db.url())->Connect(false);
  EXPECT_EQ(QueryCount(*conn, "SELECT count(*) FROM ${usage}.cloud_usage"), 3);
  // The Java server, started again, begins 1 ms after the newest successful
  // usage_job end (UsageManagerImpl.java:480-482 at 4.21.0.0): 2026-02-07
  // 00:00, right after usaged's last window; nothing twice, nothing skipped.
  EXPECT_EQ(QueryColumn(*conn, "SELECT end_millis FROM ${usage}.usage_job WHERE end_millis > 0 "
                               "and success = 1 ORDER BY end_millis DESC LIMIT 1"),
            std::vector<std::string>{"1770422399999"});
  EXPECT_EQ(QueryCount(*conn, "SELECT count(*) FROM ${usage}.usage_job WHERE start_millis > "
                              "end_millis"),
            0);
  // And usaged can be installed again.
  EXPECT_EQ(RunCli({"--db", db.url(), "init"}).exit_code, 0);
}

TEST_F(MariaDbTest, ReadsTheJavaServersDbProperties) {
  FreshDatabase db("mariadb");
  ASSERT_EQ(RunCli({"--db", db.url(), "init"}).exit_code, 0);
  auto p = store::ParseMariaDbUrl(db.url());
  TempDir dir;
  std::string file = dir.path() + "/db.properties";
  std::ofstream(file) << "# CloudStack usage server\n"
                      << "db.cloud.username=" << p.user << "\ndb.cloud.password=\n"
                      << "db.cloud.host=" << p.host << "\ndb.cloud.port=" << p.port << "\n"
                      << "db.cloud.name=" << p.cloud_db << "\ndb.usage.host=" << p.host << "\n"
                      << "db.usage.port=" << p.port << "\ndb.usage.name=" << p.usage_db << "\n"
                      << "db.usage.username=" << p.user << "\n";
  CliResult get = RunCli({"--db-properties", file, "config", "get",
                          "usage.stats.job.aggregation.range"});
  EXPECT_EQ(get.exit_code, 0) << get.err;
  EXPECT_EQ(get.out, "1440\n");
  CliResult missing = RunCli({"--db-properties", dir.path() + "/nope", "jobs"});
  EXPECT_EQ(missing.exit_code, 2);
  EXPECT_TRUE(Contains(missing.err, "cannot read --db-properties file"));
  CliResult both = RunCli({"--db", db.url(), "--db-properties", file, "jobs"});
  EXPECT_NE(both.exit_code, 0);
}

// A db.properties as cloudstack-setup-databases writes it by default: the
// password encrypted with the management server's key (here in CloudStack's
// current AES-GCM format, then its legacy one, read through CLOUD_SECRET_KEY).
TEST_F(MariaDbTest, ReadsEncryptedPasswordsFromDbProperties) {
  FreshDatabase db("mariadb");
  ASSERT_EQ(RunCli({"--db", db.url(), "init"}).exit_code, 0);
  auto p = store::ParseMariaDbUrl(db.url());
  auto conn = store::OpenStore(db.url())->Connect(false);
  conn->Run("CREATE USER IF NOT EXISTS 'usaged_enc'@'%' IDENTIFIED BY 'p@ss:w=rd!'");
  conn->Run("CREATE USER IF NOT EXISTS 'usaged_enc'@'localhost' IDENTIFIED BY 'p@ss:w=rd!'");
  conn->Run("GRANT ALL PRIVILEGES ON *.* TO 'usaged_enc'@'%'");
  conn->Run("GRANT ALL PRIVILEGES ON *.* TO 'usaged_enc'@'localhost'");
  TempDir dir;
  auto write = [&](const std::string& name, const std::string& type, const std::string& enc) {
    std::string file = dir.path() + "/" + name;
    std::ofstream(file) << "db.cloud.username=usaged_enc\ndb.cloud.password=ENC(" << enc << ")\n"
                        << "db.cloud.encryption.type=" << type << "\n"
                        << "db.cloud.host=" << p.host << "\ndb.cloud.port=" << p.port << "\n"
                        << "db.cloud.name=" << p.cloud_db << "\ndb.usage.name=" << p.usage_db
                        << "\n";
    return file;
  };
  const std::vector<std::string> get = {"config", "get", "usage.stats.job.aggregation.range"};
  auto with = [](std::vector<std::string> head, const std::vector<std::string>& tail) {
    head.insert(head.end(), tail.begin(), tail.end());
    return head;
  };
  std::ofstream(dir.path() + "/key") << "s3cr3t-key\n";
  std::string aes = write("db.properties", "file",
                          "qGFJb3Wk1AM96ncr8laVaLNU2RjjbFQLcbgSs5Sa5YMhhR5n8AU=");
  CliResult by_file = RunCli(with({"--db-properties", aes}, get));
  EXPECT_EQ(by_file.exit_code, 0) << by_file.err;
  EXPECT_EQ(by_file.out, "1440\n");

  std::string des = write("legacy.properties", "env", "w61LJ21dk4Y79tkH5AAQzrcy4WEyRhf2");
  CliResult by_env = RunCli(with({"--db-properties", des}, get), {{"CLOUD_SECRET_KEY", "s3cr3t-key"}});
  EXPECT_EQ(by_env.exit_code, 0) << by_env.err;
  EXPECT_EQ(by_env.out, "1440\n");

  std::ofstream(dir.path() + "/wrong-key") << "managementkey\n";
  CliResult wrong = RunCli(with({"--db-properties", aes, "--db-key-file", dir.path() + "/wrong-key"}, get));
  EXPECT_EQ(wrong.exit_code, 2);
  EXPECT_TRUE(Contains(wrong.err, "db.cloud.password does not decrypt")) << wrong.err;
  EXPECT_FALSE(Contains(wrong.err, "p@ss")) << wrong.err;
  conn->Run("DROP USER 'usaged_enc'@'%'");
  conn->Run("DROP USER 'usaged_enc'@'localhost'");
}

// With an encrypted db.properties usaged also holds CloudStack's database
// secret (db.cloud.encrypt.secret) and opens what CloudStack encrypts with it
// in its tables: alert.smtp.password and users' API secret keys, in either of
// CloudStack's formats.
TEST_F(MariaDbTest, OpensWhatCloudStackEncryptsInItsTables) {
  Scenario s("mariadb");
  int64_t carol = s.AddAccount("carol");
  auto p = store::ParseMariaDbUrl(s.db().url);
  s.db().SetConfig("alert.smtp.password",
                   "hVeQE8fY0EW/IAb7z8ll0VB3PP8EiV72ykWN/19B6DsuyISV2zgFjv8=");
  s.conn().Exec("CREATE TABLE IF NOT EXISTS ${cloud}.user (id bigint unsigned NOT NULL PRIMARY "
                "KEY, account_id bigint unsigned NOT NULL, state varchar(10) NOT NULL, api_key "
                "varchar(255), secret_key varchar(255), removed datetime)");
  s.conn().Run("INSERT INTO ${cloud}.user (id, account_id, state, api_key, secret_key) VALUES "
               "(1, ?, 'enabled', 'cs-enc-key', ?)",
               carol, "bbHIMmvsyd5GxaJM8nVGCvAx9znWY8bp2qgoCCRMDxU=");
  TempDir dir;
  std::ofstream(dir.path() + "/key") << "s3cr3t-key\n";
  std::string file = dir.path() + "/db.properties";
  std::ofstream(file) << "db.cloud.username=" << p.user << "\ndb.cloud.password=\n"
                      << "db.cloud.encryption.type=file\n"
                      << "db.cloud.encrypt.secret=ENC(BTCykBbhHYdvkvljHWghi2zL58r5U/POXWVPgxxlV70"
                         "UHkFU1wWDEQ==)\n"
                      << "db.cloud.host=" << p.host << "\ndb.cloud.port=" << p.port << "\n"
                      << "db.cloud.name=" << p.cloud_db << "\ndb.usage.name=" << p.usage_db
                      << "\n";
  auto conn = store::OpenMariaDbStore(store::ReadDbProperties(file))->Connect(false);
  EXPECT_EQ(alert::LoadAlertSettings(*conn).password, "mail-password");
  auto credential = api::KeyStore(*conn, nullptr).Find("cs-enc-key");
  ASSERT_TRUE(credential);
  EXPECT_EQ(credential->secret, "cs-user-secret-key");
  EXPECT_EQ(credential->caller.account_id, carol);
  // Given the plain --db URL, usaged has no secret: the stored text is used.
  auto plain = store::OpenStore(s.db().url)->Connect(false);
  EXPECT_EQ(api::KeyStore(*plain, nullptr).Find("cs-enc-key")->secret,
            "bbHIMmvsyd5GxaJM8nVGCvAx9znWY8bp2qgoCCRMDxU=");
}

TEST_F(MariaDbTest, ConnectionProblemsGiveOneClearLine) {
  FreshDatabase db("mariadb");
  ASSERT_EQ(RunCli({"--db", db.url(), "init"}).exit_code, 0);
  auto p = store::ParseMariaDbUrl(db.url());
  std::string host = p.host + ":" + std::to_string(p.port);
  std::string dbs = "/?cloud=" + p.cloud_db + "&usage=" + p.usage_db;

  auto expect_error = [](const CliResult& r, int code, const std::string& text) {
    EXPECT_EQ(r.exit_code, code) << r.err;
    EXPECT_TRUE(Contains(r.err, text)) << r.err;
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
    EXPECT_FALSE(Contains(r.err, "terminate called")) << r.err;
  };
  expect_error(RunCli({"--db", "mariadb://root@127.0.0.1:1" + dbs, "jobs"}), 3,
               "cannot connect to mariadb://root@127.0.0.1:1");
  CliResult wrong = RunCli({"--db", "mariadb://root:S3cret-pw@" + host + dbs, "jobs"});
  expect_error(wrong, 3, "Access denied");
  EXPECT_FALSE(Contains(wrong.err, "S3cret-pw"));
  expect_error(RunCli({"--db", "mariadb://nobody@" + host + dbs, "jobs"}), 3, "Access denied");
  expect_error(RunCli({"--db", "mariadb://root@" + host + "/?cloud=no_such_db&usage=" + p.usage_db,
                       "jobs"}),
               3, "database `no_such_db` does not exist");
  expect_error(RunCli({"--db", "mariadb://@" + host, "jobs"}), 2, "empty user");
  expect_error(RunCli({"--db", "mariadb://root@" + p.host + ":99999", "jobs"}), 2,
               "invalid port '99999'");
  expect_error(RunCli({"--db", "mariadb://root@" + host + "/?colour=blue", "jobs"}), 2,
               "unknown option 'colour'");
  CliResult bad_pw_form = RunCli({"--db", "maria://root:hunter2@" + host, "jobs"});
  EXPECT_EQ(bad_pw_form.exit_code, 2);
  EXPECT_FALSE(Contains(bad_pw_form.err, "hunter2"));

  // A user who may only read.
  auto admin = Admin();
  std::string user = "ro_" + p.usage_db;
  admin->Exec("DROP USER IF EXISTS '" + user + "'@'%'");
  admin->Exec("CREATE USER '" + user + "'@'%' IDENTIFIED BY 'ro'");
  admin->Exec("GRANT SELECT ON `" + p.cloud_db + "`.* TO '" + user + "'@'%'");
  admin->Exec("GRANT SELECT ON `" + p.usage_db + "`.* TO '" + user + "'@'%'");
  CliResult read_only = RunCli({"--db", "mariadb://" + user + ":ro@" + host + dbs, "run",
                                "--once", "--now", "2026-02-07 00:10:00"});
  expect_error(read_only, 3, "lacks a privilege");
  admin->Exec("DROP USER IF EXISTS '" + user + "'@'%'");
}

// The server is killed while a unit's transaction is open: the job ends with
// a clear error, the unit in flight leaves nothing behind, and the next run
// after the restart gives exactly the records of an uninterrupted run.
// A MariaDB server of the test's own (tests running in parallel use the shared
// one), started and stopped with scripts/mariadb-test-server.sh.
class PrivateMariaDb {
 public:
  PrivateMariaDb() : script_(std::string(USAGED_SOURCE_DIR) + "/scripts/mariadb-test-server.sh") {
    if (!Do("start")) throw std::runtime_error("cannot start a private MariaDB server");
    std::ifstream port_file(dir_.path() + "/port");
    port_file >> port_;
  }
  ~PrivateMariaDb() { Do("stop"); }
  bool Do(const std::string& command) {
    return std::system((script_ + " " + command + " " + dir_.path() + " >/dev/null").c_str()) == 0;
  }
  std::string Url(const std::string& suffix) const {
    return "mariadb://root@127.0.0.1:" + std::to_string(port_) + "/?cloud=cloud_" + suffix +
           "&usage=cloud_usage_" + suffix;
  }

 private:
  TempDir dir_;
  std::string script_;
  int port_ = 0;
};

std::unique_ptr<store::Connection> InitializedStore(const std::string& url) {
  auto conn = store::OpenStore(url)->Connect(/*create=*/true);
  store::Migrator(*conn).Up(SystemClock().Now());
  return conn;
}

TEST_F(MariaDbTest, ServerKilledMidJobLosesNothingAndDuplicatesNothing) {
  PrivateMariaDb server;
  sim::RandomCloudSpec spec;
  spec.seed = 11;
  spec.accounts = 10;
  spec.days = 12;
  spec.start = ParseUtc("2026-02-01 00:00:00");
  constexpr const char* kNow = "2026-02-13 00:10:00";

  const std::string reference_url = server.Url("reference"), url = server.Url("killed");
  {
    auto reference = InitializedStore(reference_url);
    sim::WriteRandomCloud(*reference, spec);
    ASSERT_TRUE(RunAt(*reference, kNow).ok());
  }
  const std::string expected = SortedRecordsCsv(reference_url);
  sim::WriteRandomCloud(*InitializedStore(url), spec);
  TempDir io;
  std::string marker = io.path() + "/in-flight";

  CliProcess run({"--db", url, "run", "--once", "--now", kNow},
                 {{"USAGED_FAULTS", "stall_unit=9"}, {"USAGED_FAULT_MARKER", marker}});
  ASSERT_TRUE(WaitFor([&] { return std::filesystem::exists(marker); }))
      << "the job never reached the stalled unit";
  ASSERT_TRUE(server.Do("kill"));
  CliResult killed = run.Wait();
  const std::string& err = killed.err;
  int status_code = killed.exit_code;
  ASSERT_TRUE(server.Do("start"));
  EXPECT_EQ(status_code, 3) << err;
  EXPECT_TRUE(Contains(err, "usaged: cannot connect to")) << err;

  {
    // The unit in flight committed nothing: eight units are done, and every
    // record belongs to a done unit.
    auto conn = store::OpenStore(url)->Connect(false);
    EXPECT_EQ(QueryCount(*conn, "SELECT count(*) FROM ${usage}.usaged_unit WHERE state = 'done'"), 8);
    EXPECT_EQ(QueryCount(*conn, "SELECT coalesce(sum(records), 0) FROM ${usage}.usaged_unit"),
              QueryCount(*conn, "SELECT count(*) FROM ${usage}.cloud_usage"));
  }
  CliResult again = RunCli({"--db", url, "run", "--once", "--now", kNow});
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_EQ(SortedRecordsCsv(url), expected);
}

}  // namespace
}  // namespace usaged::testing
