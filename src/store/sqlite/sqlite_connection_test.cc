#include "store/sqlite/sqlite_connection.h"

#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <future>
#include <thread>

#include "core/error.h"

namespace usaged::store {
namespace {

class SqliteWriterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("usaged-sqlite-writer-" + std::to_string(::getpid()));
    std::filesystem::remove_all(dir_);
    SqliteConnection(dir_.string(), /*create=*/true)
        .Exec("CREATE TABLE cloud_usage.t (v integer)");
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::filesystem::path dir_;
};

TEST_F(SqliteWriterTest, ASecondWriterOfTheProcessWaitsForTheFirstToCommit) {
  SqliteConnection first(dir_.string(), false);
  SqliteConnection second(dir_.string(), false);
  first.Begin();
  first.Exec("INSERT INTO cloud_usage.t VALUES (1)");
  auto waiting = std::async(std::launch::async, [&] {
    second.Begin();  // blocks until `first` commits
    int64_t seen = second.QueryInt("SELECT count(*) FROM cloud_usage.t").value_or(-1);
    second.Exec("INSERT INTO cloud_usage.t VALUES (2)");
    second.Commit();
    return seen;
  });
  EXPECT_EQ(waiting.wait_for(std::chrono::milliseconds(200)), std::future_status::timeout);
  first.Commit();
  EXPECT_EQ(waiting.get(), 1);  // it began after the first commit, and saw it
  EXPECT_EQ(first.QueryInt("SELECT count(*) FROM cloud_usage.t"), 2);
}

TEST_F(SqliteWriterTest, AWriterHeldPastTheBusyTimeoutIsATransientError) {
  SqliteConnection first(dir_.string(), false);
  SqliteConnection second(dir_.string(), false, /*busy_timeout_ms=*/100);
  first.Begin();
  try {
    second.Begin();
    FAIL() << "Begin should time out while another connection writes";
  } catch (const DbError& e) {
    EXPECT_TRUE(e.transient()) << e.what();
  }
  first.Rollback();
  second.Begin();  // free again after the rollback
  second.Commit();
}

TEST_F(SqliteWriterTest, BeginTwiceOnOneConnectionFailsAtOnce) {
  SqliteConnection conn(dir_.string(), false);
  conn.Begin();
  auto start = std::chrono::steady_clock::now();
  EXPECT_THROW(conn.Begin(), DbError);
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(1));
  conn.Rollback();
}

}  // namespace
}  // namespace usaged::store
