// Crash torture: a 30-day cloud of several usage types and accounts is billed
// by a usaged process that is SIGKILLed at a random moment, then run again to
// completion. Every outcome must equal an uninterrupted run exactly.
#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <random>
#include <thread>

#include "maintain/record_checks.h"
#include "sim/random_cloud.h"
#include "support/test_env.h"

namespace usaged::testing {
namespace {

namespace fs = std::filesystem;
constexpr const char* kNow = "2026-03-03 00:10:00";

void WriteCloud(TestStore& db) {
  sim::RandomCloudSpec spec;
  spec.seed = 11;
  spec.accounts = 10;
  spec.vms_per_account = 3;
  spec.days = 30;
  spec.start = ParseUtc("2026-02-01 00:00:00");
  sim::WriteRandomCloud(*db.conn, spec);
  db.SetConfig("usage.account.shards", "4");
}

// Kills per engine: 100 on SQLite (a file copy per round); MariaDB rebuilds
// the cloud per round, so it runs fewer unless USAGED_TORTURE_ROUNDS says.
int Rounds(const std::string& engine) {
  if (const char* env = std::getenv("USAGED_TORTURE_ROUNDS")) return std::atoi(env);
  return engine == "sqlite" ? 100 : 25;
}

// A database in the state before any run, for one round.
class RoundDatabase {
 public:
  RoundDatabase(const std::string& engine, const std::string& sqlite_template) {
    if (engine == "sqlite") {
      fs::copy(sqlite_template, dir_.path() + "/db", fs::copy_options::recursive);
      url_ = "sqlite:" + dir_.path() + "/db";
    } else {
      db_ = NewTestStore(engine);
      WriteCloud(*db_);
      url_ = db_->url;
      db_->conn.reset();
    }
  }
  const std::string& url() const { return url_; }

 private:
  TempDir dir_;
  std::unique_ptr<TestStore> db_;
  std::string url_;
};

int64_t CountNotDone(const std::string& url) {
  auto store = store::OpenStore(url);
  auto conn = store->Connect();
  return QueryCount(*conn, "SELECT COUNT(*) FROM ${usage}.usaged_unit WHERE state <> 'done'");
}

int64_t CountDuplicates(const std::string& url) {
  auto store = store::OpenStore(url);
  auto conn = store->Connect();
  return maintain::CountDuplicateRecords(*conn);
}

class TortureTest : public ::testing::TestWithParam<std::string> {};

TEST_P(TortureTest, RandomKillsNeverChangeTheRecords) {
  const std::string engine = GetParam();
  // The pristine cloud; for SQLite its files are the template of every round.
  auto pristine = NewTestStore(engine);
  WriteCloud(*pristine);
  const std::string template_dir = pristine->dir->path() + "/db";
  pristine->conn.reset();
  pristine->store.reset();

  RoundDatabase reference(engine, template_dir);
  auto started = std::chrono::steady_clock::now();
  CliResult ref = RunCli({"--db", reference.url(), "run", "--once", "--now", kNow});
  auto run_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                    std::chrono::steady_clock::now() - started)
                    .count();
  ASSERT_EQ(ref.exit_code, 0) << ref.err;
  const std::string expected = SortedRecordsCsv(reference.url());
  ASSERT_GT(std::count(expected.begin(), expected.end(), '\n'), 1000);
  ASSERT_EQ(CountDuplicates(reference.url()), 0);

  std::mt19937 rng(20261125);
  // Kill moments spread over the whole run, start-up included. A run that
  // finished before its kill shrinks the horizon, so that however fast the
  // machine runs this round, most rounds are really cut short.
  int horizon_ms = static_cast<int>(run_ms) + 1;
  int killed = 0;
  const int rounds = Rounds(engine);
  for (int round = 0; round < rounds; ++round) {
    RoundDatabase db(engine, template_dir);
    int at = std::uniform_int_distribution<int>(0, horizon_ms)(rng);
    CliProcess run({"--db", db.url(), "--log-level", "off", "run", "--once", "--now", kNow});
    std::this_thread::sleep_for(std::chrono::milliseconds(at));
    run.Signal(SIGKILL);
    if (run.Wait().signal == SIGKILL) {
      ++killed;
    } else {
      horizon_ms = std::max(1, horizon_ms * 4 / 5);
    }
    CliResult again = RunCli({"--db", db.url(), "run", "--once", "--now", kNow});
    ASSERT_EQ(again.exit_code, 0) << "round " << round << " killed at " << at << " ms: "
                                  << again.err;
    ASSERT_EQ(SortedRecordsCsv(db.url()), expected)
        << "round " << round << " killed at " << at << " ms";
    ASSERT_EQ(CountDuplicates(db.url()), 0) << "round " << round;
    ASSERT_EQ(CountNotDone(db.url()), 0) << "round " << round << ": a window is missing";
  }
  // Most rounds must really have been killed mid-run, or the test proves little.
  EXPECT_GE(killed, rounds / 2) << "run took " << run_ms << " ms";
  std::cout << "[torture] " << engine << ": " << killed << " of " << rounds
            << " rounds killed; uninterrupted run " << run_ms << " ms\n";
}

INSTANTIATE_TEST_SUITE_P(Engines, TortureTest, ::testing::ValuesIn(TestEngines()),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace usaged::testing
