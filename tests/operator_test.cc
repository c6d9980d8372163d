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

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

// A record whose VM name and description hold a newline, a carriage return,
// an escape sequence (clear the screen) and a C1 control (CSI) still prints
// as one table line, with those characters shown escaped; the table shows
// zone, size and state, which tell records of one resource apart.
TEST_P(OperatorTest, RecordsTableEscapesControlCharacters) {
  Scenario s(GetParam());
  s.Vm("VM.CREATE", "2026-01-10 00:00:00", 7);
  s.Vm("VM.START", "2026-01-10 00:00:00", 7);
  s.Volume("VOLUME.CREATE", "2026-01-10 00:00:00", 50, int64_t{1} << 30);
  ASSERT_TRUE(RunAt(s.conn(), "2026-01-11 00:10:00").ok());
  const int64_t id = QueryCount(s.conn(), "SELECT min(id) FROM ${usage}.cloud_usage WHERE "
                                          "usage_type = 1");
  s.conn().Run("UPDATE ${usage}.cloud_usage SET vm_name = ?, description = ? WHERE id = ?",
               std::string("web\n1\r\x1b[2J"), std::string("line\none\tx\xc2\x9b" "31m"),
               id);
  const int64_t records = QueryCount(s.conn(), "SELECT count(*) FROM ${usage}.cloud_usage");

  CliResult r = RunCli({"--db", s.db().url, "records"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out.find('\x1b'), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find('\r'), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find("\xc2\x9b"), std::string::npos) << r.out;
  const auto lines = Lines(r.out);
  ASSERT_EQ(lines.size(), static_cast<size_t>(2 + records)) << r.out;
  EXPECT_TRUE(Contains(r.out, "web\\n1\\r\\x1b[2J")) << r.out;
  EXPECT_TRUE(Contains(r.out, "line\\none\\tx\\u009b31m")) << r.out;
  // Every cell of the header is above its column: the rule under it has the
  // header's gaps, and no row is longer than the rule.
  for (const std::string column : {"zone_id", "size", "state", "usage_key"}) {
    EXPECT_TRUE(Contains(lines[0], column)) << lines[0];
  }
  for (const auto& line : lines) EXPECT_LE(line.size(), lines[1].size()) << line;
}

// The demo's table shows what tells two records of one window and account
// apart: zone, VM, offering, size and state.
TEST_P(OperatorTest, DemoTableShowsTheColumnsThatTellRecordsApart) {
  FreshDatabase fresh(GetParam());
  CliResult r = RunCli({"--db", fresh.url(), "--log-level", "warn", "demo", "--days", "1"});
  ASSERT_EQ(r.exit_code, 0) << r.err << r.out;
  const auto lines = Lines(r.out);
  auto header = std::find_if(lines.begin(), lines.end(), [](const std::string& line) {
    return line.rfind("start_date", 0) == 0;
  });
  ASSERT_NE(header, lines.end()) << r.out;
  for (const std::string column : {"zone_id", "usage_id", "vm_instance_id", "offering_id",
                                   "size", "state"}) {
    EXPECT_TRUE(Contains(*header, column)) << *header;
  }
}

// Every key `usaged config list` shows is documented in the README's
// configuration tables, by name.
TEST_P(OperatorTest, EveryConfigurationKeyIsDocumented) {
  auto db = NewTestStore(GetParam());
  CliResult list = RunCli({"--db", db->url, "config", "list"});
  ASSERT_EQ(list.exit_code, 0) << list.err;
  const std::string readme = ReadFile(std::string(USAGED_SOURCE_DIR) + "/README.md");
  ASSERT_FALSE(readme.empty());
  const size_t at = readme.find("## Configuration");
  ASSERT_NE(at, std::string::npos);
  const std::string section = readme.substr(at);
  int keys = 0;
  for (const auto& line : Lines(list.out)) {
    const std::string key = line.substr(0, line.find(" = "));
    ++keys;
    EXPECT_TRUE(Contains(section, "`" + key + "`")) << key << " is not in README.md";
  }
  EXPECT_GE(keys, 20) << list.out;
}

INSTANTIATE_TEST_SUITE_P(Engines, OperatorTest, ::testing::ValuesIn(TestEngines()));

}  // namespace
}  // namespace usaged::testing
