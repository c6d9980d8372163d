#include "support/node_scenario.h"

#include <gtest/gtest.h>
#include <signal.h>

#include <fmt/format.h>

#include <filesystem>
#include <sstream>
#include <memory>
#include <random>
#include <thread>

#include "sim/random_cloud.h"

namespace usaged::testing {
namespace {

constexpr const char* kStart = "2026-02-01 00:00:00";

// What the nodes of the last RunDailyKillingNodes said about jobs, leases and
// failures: printed when a check of its result fails.
std::string node_journal;

void Journal(int day, size_t node, const CliResult& r) {
  std::istringstream lines(r.err);
  for (std::string line; std::getline(lines, line);) {
    if (Contains(line, "job") || Contains(line, "[warn") || Contains(line, "[error") ||
        Contains(line, "lease")) {
      node_journal += fmt::format("day {} node {}: {}\n", day, node, line);
    }
  }
  if (r.signal != 0) node_journal += fmt::format("day {} node {}: killed\n", day, node);
}

// Both job tables, for a failure message: which runs overlapped and why.
std::string JobHistory(store::Connection& conn) {
  std::string text = "usage_job (id start end success):\n";
  for (const auto& row : QueryColumn(conn, "SELECT concat_ws(' ', id, start_millis, end_millis, "
                                           "success) FROM ${usage}.usage_job ORDER BY id")) {
    text += "  " + row + "\n";
  }
  text += "usaged_job (id kind state range units failed error):\n";
  for (const auto& row : QueryColumn(
           conn, "SELECT concat_ws(' ', id, kind, state, range_start, range_end, units_total, "
                 "units_failed, coalesce(error, '-')) FROM ${usage}.usaged_job ORDER BY id")) {
    text += "  " + row + "\n";
  }
  return text + "node log:\n" + node_journal;
}

}  // namespace

void WriteNodeScenarioCloud(TestStore& db, int days) {
  sim::RandomCloudSpec spec;
  spec.seed = 11;
  spec.accounts = 10;
  spec.vms_per_account = 3;
  spec.days = days;
  spec.start = ParseUtc(kStart);
  sim::WriteRandomCloud(*db.conn, spec);
  db.SetConfig("usage.account.shards", "6");
}

std::string DayNow(int day) {
  return FormatUtc(ParseUtc(kStart) + std::chrono::hours(24 * day) + std::chrono::minutes(10));
}

std::vector<std::string> RunArgs(const std::string& url, const std::string& now) {
  return {"--db", url, "run", "--once", "--now", now};
}

bool Contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

void RunDailyAlone(const std::string& url, int days) {
  for (int day = 1; day <= days; ++day) {
    CliResult r = RunCli(RunArgs(url, DayNow(day)));
    ASSERT_EQ(r.exit_code, 0) << "day " << day << ": " << r.err;
  }
}

int RunDailyKillingNodes(const std::vector<std::string>& node_urls, int days, int kills,
                         uint32_t seed) {
  std::mt19937 rng(seed);
  const int count = static_cast<int>(node_urls.size());
  int landed_total = 0;
  node_journal.clear();
  for (int day = 1; day <= days; ++day) {
    std::vector<std::unique_ptr<CliProcess>> nodes;
    for (const auto& url : node_urls) {
      nodes.push_back(std::make_unique<CliProcess>(RunArgs(url, DayNow(day))));
    }
    // Spread the kills over the days; a victim that already finished does
    // not count, so a day may try again.
    const int days_left = days - day + 1;
    const int due = (kills - landed_total + days_left - 1) / days_left;
    for (int landed = 0, tries = 0; landed < due && tries < 6; ++tries) {
      int victim = std::uniform_int_distribution<int>(0, count - 1)(rng);
      std::this_thread::sleep_for(
          std::chrono::milliseconds(std::uniform_int_distribution<int>(5, 150)(rng)));
      nodes[victim]->Signal(SIGKILL);
      CliResult killed = nodes[victim]->Wait();
      Journal(day, victim, killed);
      if (killed.signal == SIGKILL) ++landed, ++landed_total;
      nodes[victim] =
          std::make_unique<CliProcess>(RunArgs(node_urls[victim], DayNow(day)));
    }
    for (size_t i = 0; i < nodes.size(); ++i) {
      CliResult r = nodes[i]->Wait();
      Journal(day, i, r);
      EXPECT_EQ(r.exit_code, 0) << "day " << day << ": " << r.err;
      if (r.exit_code != 0) return landed_total;
    }
  }
  return landed_total;
}

void ExpectNodesBilledLikeReference(TestStore& shared, const std::string& reference_url,
                                    int days) {
  EXPECT_EQ(SortedRecordsCsv(shared.url), SortedRecordsCsv(reference_url));
  auto& conn = *shared.conn;
  EXPECT_EQ(QueryCount(conn, "SELECT count(*) - count(DISTINCT usage_key) FROM "
                             "${usage}.cloud_usage"), 0);
  EXPECT_EQ(QueryCount(conn, "SELECT count(*) FROM ${usage}.usaged_unit WHERE state <> 'done'"),
            0);
  EXPECT_EQ(QueryCount(conn, "SELECT count(*) FROM ${usage}.usaged_window"), days);
  EXPECT_EQ(QueryCount(conn, "SELECT count(*) FROM ${usage}.usaged_unit"), days * 6);
  // One logical job per range: no two usage_job rows overlap.
  EXPECT_EQ(QueryCount(conn, "SELECT count(*) FROM ${usage}.usage_job a JOIN "
                             "${usage}.usage_job b ON a.id < b.id AND a.start_millis <= "
                             "b.end_millis AND b.start_millis <= a.end_millis"), 0)
      << JobHistory(conn);
  EXPECT_GT(QueryCount(conn, "SELECT count(DISTINCT node_id) FROM ${usage}.usaged_unit"), 3);
  CliResult jobs = RunCli({"--db", shared.url, "jobs", "--format", "csv"});
  EXPECT_TRUE(Contains(jobs.out, "node ")) << jobs.out;
  CliResult nodes = RunCli({"--db", shared.url, "nodes", "--format", "csv"});
  EXPECT_EQ(nodes.exit_code, 0) << nodes.err;
  EXPECT_TRUE(Contains(nodes.out, ",stopped,")) << nodes.out;
}

void ExpectPausedNodeCannotCommit(TestStore& shared, const std::string& paused_url,
                                  const std::string& other_url,
                                  const std::string& reference_url) {
  shared.SetConfig("usage.cluster.lease.seconds", "1");
  shared.SetConfig("usage.threads", "1");
  TempDir io;
  std::string marker = io.path() + "/parsed";
  CliProcess paused(RunArgs(paused_url, DayNow(3)),
                    {{"USAGED_FAULTS", "stall_parsed_unit=1"}, {"USAGED_FAULT_MARKER", marker}});
  ASSERT_TRUE(WaitFor([&] { return std::filesystem::exists(marker); }));
  paused.Signal(SIGSTOP);
  // The other node waits for the claim to expire, takes the unit over and
  // finishes every unit.
  CliResult other = RunCli(RunArgs(other_url, DayNow(3)));
  ASSERT_EQ(other.exit_code, 0) << other.err;
  EXPECT_TRUE(Contains(other.err, "taking over unit")) << other.err;
  paused.Signal(SIGCONT);
  CliResult resumed = paused.Wait();
  EXPECT_EQ(resumed.exit_code, 0) << resumed.err;
  EXPECT_TRUE(Contains(resumed.err, "not committed")) << resumed.err;
  EXPECT_EQ(SortedRecordsCsv(shared.url), SortedRecordsCsv(reference_url));
  EXPECT_EQ(QueryCount(*shared.conn,
                       "SELECT count(*) FROM ${usage}.usaged_unit WHERE state <> 'done'"), 0);
}

}  // namespace usaged::testing
