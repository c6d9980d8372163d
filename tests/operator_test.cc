// What an operator sees: log files written as lines happen, CLI tables that
// survive any stored text, and documentation of every setting.
#include <gtest/gtest.h>
#include <signal.h>

#include <algorithm>
#include <sstream>
#include <string>
#include <vector>

#include "support/scenario.h"

namespace usaged::testing {
namespace {

bool Contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

class OperatorTest : public ::testing::TestWithParam<std::string> {};

// A daemon killed without warning (SIGKILL, the OOM killer) keeps the lines
// it logged: they are in usaged.log as soon as they are logged.
TEST_P(OperatorTest, LogFileHoldsEachLineAsItIsLoggedAndAfterAKill) {
  auto db = NewTestStore(GetParam());
  const std::string url = db->url;
  db->conn.reset();
  TempDir logs;
  const std::string log = logs.path() + "/usaged.log";
  CliProcess run({"--db", url, "--log-dir", logs.path(), "run"});
  // The scheduler logs when its next job runs, then sleeps until then.
  const bool logged = WaitFor([&] { return Contains(ReadFile(log), "next usage job at"); },
                              std::chrono::seconds(10));
  run.Signal(SIGKILL);
  CliResult killed = run.Wait();
  EXPECT_EQ(killed.signal, SIGKILL) << killed.err;
  ASSERT_TRUE(logged) << "usaged.log while running: '" << ReadFile(log) << "'\nstderr: "
                      << killed.err;
  // The file keeps what was logged, in whole lines.
  const std::string text = ReadFile(log);
  EXPECT_TRUE(Contains(text, "next usage job at")) << text;
  EXPECT_EQ(text.back(), '\n') << text;
}

INSTANTIATE_TEST_SUITE_P(Engines, OperatorTest, ::testing::ValuesIn(TestEngines()));

}  // namespace
}  // namespace usaged::testing
