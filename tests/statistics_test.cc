// The statistics step end to end: a crash inside it, a second snapshot of a
// window, and counters no database column should hold.
#include <gtest/gtest.h>
#include <signal.h>

#include "ingest/quarantine.h"
#include "ingest/statistics.h"
#include "sim/cloud_writer.h"
#include "support/test_env.h"

namespace usaged::testing {
namespace {

constexpr const char* kDay1 = "2026-01-14 00:10:00";
constexpr const char* kDay2 = "2026-01-15 00:10:00";

// Three accounts, each with a VM and a volume, router traffic, disk I/O and
// a bucket; every counter is `scale` times its base value.
std::unique_ptr<TestStore> StatisticsCloud(const std::string& engine) {
  auto db = NewTestStore(engine);
  sim::CloudWriter cloud(*db->conn);
  int64_t root = cloud.AddDomain("ROOT", std::nullopt);
  for (int i = 1; i <= 3; ++i) {
    int64_t account = cloud.AddAccount("a" + std::to_string(i), root);
    for (const char* type : {"VM.CREATE", "VOLUME.CREATE"}) {
      sim::EventSpec e;
      e.type = type;
      e.account_id = account;
      e.created = ParseUtc("2026-01-13 08:00:00");
      e.resource_id = std::string(type) == "VM.CREATE" ? 100 + i : 500 + i;
      e.resource_name = "r" + std::to_string(i);
      e.offering_id = 10;
      e.template_id = 200;
      e.size = 1024;
      cloud.AddEvent(e);
    }
    db->conn->Run(
        "INSERT INTO ${cloud}.user_statistics (id, data_center_id, account_id, device_id, "
        "device_type, network_id, agg_bytes_sent, agg_bytes_received) "
        "VALUES (?, 1, ?, ?, 'DomainRouter', 200, ?, ?)",
        i, account, 40 + i, 1000 * i, 3000 * i);
    db->conn->Run(
        "INSERT INTO ${cloud}.vm_disk_statistics (id, data_center_id, account_id, vm_id, "
        "volume_id, agg_io_read, agg_io_write, agg_bytes_read, agg_bytes_write) "
        "VALUES (?, 1, ?, ?, ?, ?, ?, ?, ?)",
        i, account, 100 + i, 500 + i, 10 * i, 20 * i, 4096 * i, 8192 * i);
    db->conn->Run(
        "INSERT INTO ${cloud}.bucket_statistics (id, account_id, bucket_id, size) "
        "VALUES (?, ?, ?, ?)",
        i, account, 900 + i, 1000000 * i);
  }
  return db;
}

// Multiplies every counter and size (the cloud went on working).
void GrowCounters(store::Connection& conn, int factor) {
  conn.Run("UPDATE ${cloud}.user_statistics SET agg_bytes_sent = agg_bytes_sent * ?, "
           "agg_bytes_received = agg_bytes_received * ?",
           factor, factor);
  conn.Run("UPDATE ${cloud}.vm_disk_statistics SET agg_io_read = agg_io_read * ?, "
           "agg_bytes_write = agg_bytes_write * ?",
           factor, factor);
  conn.Run("UPDATE ${cloud}.bucket_statistics SET size = size * ?", factor);
}

// raw_usage of one type's records of one account, by window.
std::vector<double> RawUsage(store::Connection& conn, int type, int64_t account) {
  std::vector<double> out;
  for (const auto& r : ReadRecords(conn, type)) {
    if (r.account_id == account) out.push_back(r.raw_usage);
  }
  return out;
}

class StatisticsTest : public ::testing::TestWithParam<std::string> {};

TEST_P(StatisticsTest, CrashInsideTheSnapshotLeavesNothingAndTheRerunBillsOnce) {
  auto reference = StatisticsCloud(GetParam());
  ASSERT_TRUE(RunAt(*reference->conn, kDay1).ok());
  GrowCounters(*reference->conn, 3);
  ASSERT_TRUE(RunAt(*reference->conn, kDay2).ok());
  const std::string expected = SortedRecordsCsv(reference->url);
  // Per day: 3 accounts x (2 network + 4 disk + 1 bucket) records.
  ASSERT_EQ(QueryCount(*reference->conn,
                       "SELECT count(*) FROM ${usage}.cloud_usage WHERE usage_type IN "
                       "(4, 5, 21, 22, 23, 24, 29)"),
            2 * 21);

  const std::string sampled_records =
      "SELECT count(*) FROM ${usage}.cloud_usage WHERE usage_type IN (4, 5, 21, 22, 23, 24, 29)";
  for (bool crash_on_day2 : {false, true}) {
    auto db = StatisticsCloud(GetParam());
    std::string url = db->url;
    auto run = [&](const char* day, const std::string& faults) {
      return RunCli({"--db", url, "run", "--once", "--now", day}, {{"USAGED_FAULTS", faults}});
    };
    if (crash_on_day2) {
      ASSERT_EQ(run(kDay1, "").exit_code, 0);
      GrowCounters(*db->conn, 3);
    }
    const char* crashing_day = crash_on_day2 ? kDay2 : kDay1;
    CliResult killed = run(crashing_day, "crash_statistics=1");
    ASSERT_EQ(killed.signal, SIGKILL) << killed.err;
    // Nothing of the interrupted snapshot is left: no mark, no delta rows
    // beyond the first day's, no records for the window.
    const int64_t before = crash_on_day2 ? 1 : 0;
    EXPECT_EQ(QueryCount(*db->conn, "SELECT count(*) FROM ${usage}.usaged_stat_snapshot"), before);
    EXPECT_EQ(QueryCount(*db->conn, "SELECT count(*) FROM ${usage}.usage_network"), 3 * before);
    EXPECT_EQ(QueryCount(*db->conn, sampled_records), 21 * before);
    ASSERT_EQ(run(crashing_day, "").exit_code, 0);
    if (!crash_on_day2) {
      GrowCounters(*db->conn, 3);
      ASSERT_EQ(run(kDay2, "").exit_code, 0);
    }
    EXPECT_EQ(SortedRecordsCsv(url), expected) << "crash on " << crashing_day;
  }
}

TEST_P(StatisticsTest, AWindowIsSampledOnce) {
  auto db = StatisticsCloud(GetParam());
  ASSERT_TRUE(RunAt(*db->conn, kDay1).ok());
  int64_t rows = QueryCount(*db->conn, "SELECT count(*) FROM ${usage}.usage_network");
  GrowCounters(*db->conn, 5);
  // Called directly: the only window is sampled already and billed.
  ingest::StatisticsSummary again = ingest::SnapshotStatistics(*db->conn, ParseUtc(kDay1));
  EXPECT_EQ(again.windows, 0);
  EXPECT_EQ(QueryCount(*db->conn, "SELECT count(*) FROM ${usage}.usage_network"), rows);
  // A run with nothing due takes no sample either; the growth goes to day 2.
  ASSERT_TRUE(RunAt(*db->conn, "2026-01-14 18:00:00").ok());
  ASSERT_TRUE(RunAt(*db->conn, kDay2).ok());
  EXPECT_EQ(RawUsage(*db->conn, 4, 1), (std::vector<double>{1000, 4000}));
}

// SQLite keeps whatever integer it is given in a "bigint unsigned" column;
// MariaDB refuses negative values there, so this case exists only on SQLite.
TEST_P(StatisticsTest, NegativeCountersAreQuarantinedAndNeverBilled) {
  if (GetParam() != "sqlite") GTEST_SKIP() << "MariaDB columns cannot hold negative counters";
  auto db = StatisticsCloud(GetParam());
  auto& conn = *db->conn;
  // A second address on account 1's router, with a broken counter: the whole
  // router key waits, the other accounts are billed.
  conn.Run("INSERT INTO ${cloud}.user_statistics (id, data_center_id, account_id, device_id, "
           "device_type, network_id, agg_bytes_sent, agg_bytes_received) "
           "VALUES (10, 1, 1, 41, 'DomainRouter', 200, -5, 7)");
  conn.Run("UPDATE ${cloud}.vm_disk_statistics SET current_io_read = -1 WHERE id = 2");
  ASSERT_TRUE(RunAt(conn, kDay1).ok());
  EXPECT_EQ(QueryCount(conn, "SELECT count(*) FROM ${usage}.cloud_usage WHERE raw_usage < 0"), 0);
  EXPECT_EQ(QueryColumn(conn, "SELECT account_id FROM ${usage}.cloud_usage WHERE usage_type = 4 "
                              "ORDER BY account_id"),
            (std::vector<std::string>{"2", "3"}));
  EXPECT_EQ(QueryColumn(conn, "SELECT account_id FROM ${usage}.cloud_usage WHERE usage_type = 21 "
                              "ORDER BY account_id"),
            (std::vector<std::string>{"1", "3"}));
  auto quarantined = ingest::ListQuarantine(conn);
  ASSERT_EQ(quarantined.size(), 2u);
  EXPECT_EQ(quarantined[1].source, "user_statistics");
  EXPECT_EQ(quarantined[1].source_id, 10);
  EXPECT_NE(quarantined[1].reason.find("agg_bytes_sent is negative (-5)"), std::string::npos);
  EXPECT_EQ(quarantined[0].source, "vm_disk_statistics");
  EXPECT_EQ(QueryCount(conn, "SELECT count(*) FROM ${usage}.usaged_alert WHERE subject = "
                             "'usaged: a statistics row was quarantined'"), 2);
  // Repaired: the next window bills everything since the last good sample.
  conn.Run("UPDATE ${cloud}.user_statistics SET agg_bytes_sent = 5 WHERE id = 10");
  conn.Run("UPDATE ${cloud}.vm_disk_statistics SET current_io_read = 0 WHERE id = 2");
  ASSERT_TRUE(RunAt(conn, kDay2).ok());
  EXPECT_EQ(RawUsage(conn, 4, 1), (std::vector<double>{1005}));
  EXPECT_EQ(RawUsage(conn, 21, 2), (std::vector<double>{20}));
  EXPECT_EQ(ingest::ListQuarantine(conn).size(), 2u);
  EXPECT_EQ(QueryCount(conn, "SELECT count(*) FROM ${usage}.usaged_alert"), 2);
}

// A counter going back with the same statistics rows is billed 0, recorded
// in usaged_healing (not quarantined), and its lower total is kept in the
// helper row as the next baseline.
TEST_P(StatisticsTest, ACounterGoingBackInPlaceLowersTheBaseline) {
  auto db = StatisticsCloud(GetParam());
  auto& conn = *db->conn;
  ASSERT_TRUE(RunAt(conn, kDay1).ok());
  conn.Run("UPDATE ${cloud}.user_statistics SET agg_bytes_sent = 400, agg_bytes_received = 3500 "
           "WHERE id = 1");
  ASSERT_TRUE(RunAt(conn, kDay2).ok());
  EXPECT_EQ(RawUsage(conn, 4, 1), (std::vector<double>{1000, 0}));
  EXPECT_EQ(RawUsage(conn, 5, 1), (std::vector<double>{3000, 500}));
  EXPECT_TRUE(ingest::ListQuarantine(conn).empty());
  EXPECT_EQ(QueryColumn(conn, "SELECT kind FROM ${usage}.usaged_healing WHERE table_name = "
                              "'usage_network'"),
            (std::vector<std::string>{"counter_regression"}));
  EXPECT_EQ(QueryColumn(conn, "SELECT agg_bytes_sent FROM ${usage}.usage_network WHERE "
                              "account_id = 1 ORDER BY event_time_millis"),
            (std::vector<std::string>{"1000", "400"}));
}

// Helper rows another server wrote (its baselines) and no mirror: usaged has
// no earlier sample to compare rows with, so the totals decide; nothing that
// server billed is billed again.
TEST_P(StatisticsTest, BaselinesWithoutAMirrorAreContinued) {
  auto db = StatisticsCloud(GetParam());
  auto& conn = *db->conn;
  conn.Run("INSERT INTO ${usage}.usage_network (account_id, zone_id, host_id, host_type, "
           "network_id, bytes_sent, bytes_received, agg_bytes_received, agg_bytes_sent, "
           "event_time_millis) VALUES (1, 1, 41, 'DomainRouter', 200, 600, 2000, 2000, 600, ?)",
           ToEpochMillis(ParseUtc("2026-01-12 23:59:59")));
  ASSERT_TRUE(RunAt(conn, kDay1).ok());
  EXPECT_EQ(RawUsage(conn, 4, 1), (std::vector<double>{400}));
  EXPECT_EQ(RawUsage(conn, 5, 1), (std::vector<double>{1000}));
  EXPECT_EQ(RawUsage(conn, 4, 2), (std::vector<double>{2000}));
}

INSTANTIATE_TEST_SUITE_P(Engines, StatisticsTest, ::testing::ValuesIn(TestEngines()));

}  // namespace
}  // namespace usaged::testing
