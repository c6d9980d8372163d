// `usaged compare` on clean Java-shaped databases, one per full conformance
// scenario (tests/scenarios/**/compat_full_*.scenario): the scenario's events
// and runs give the database its history (events, CloudStack's helper and
// statistics tables, usage_job rows); then usaged's objects are rolled back
// (`migrate --down`, so CloudStack's schema alone remains) and cloud_usage is
// replaced by the records the scenario expects — every column of each,
// derived from CloudStack 4.21's rules and cited in the scenario — as the
// Java server would have written them. `compare` must find every record equal
// in compat mode, and nothing unexplained in exact mode.
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <set>

#include "store/migrator.h"
#include "support/scenario_file.h"
#include "support/scenario_runner.h"
#include "support/test_env.h"

namespace usaged::testing {
namespace {

using Row = std::map<std::string, std::string>;
using nlohmann::json;

const char* const kIntColumns[] = {"zone_id",     "account_id",  "domain_id", "usage_type",
                                   "vm_instance_id", "offering_id", "template_id", "usage_id",
                                   "size",        "network_id",  "virtual_size", "cpu_speed",
                                   "cpu_cores",   "memory",      "is_hidden"};
const char* const kTextColumns[] = {"description", "usage_display", "vm_name", "type", "state"};

// Every record a scenario's expect_full steps name, filter included.
std::vector<Row> JavaRecords(const ScenarioFile& file) {
  std::vector<Row> out;
  for (const auto& step : file.steps) {
    if (step.command != "expect_full") continue;
    for (const auto& expected : step.rows) {
      Row row = step.fields;
      for (const auto& [k, v] : expected) row[k] = v;
      out.push_back(std::move(row));
    }
  }
  return out;
}

void InsertJavaRecord(store::Connection& conn, const Row& row) {
  std::string columns, marks;
  for (const char* c : kIntColumns) columns += std::string(columns.empty() ? "" : ", ") + c;
  for (const char* c : kTextColumns) columns += std::string(", ") + c;
  columns += ", raw_usage, start_date, end_date";
  const size_t n = std::size(kIntColumns) + std::size(kTextColumns) + 3;
  for (size_t i = 0; i < n; ++i) marks += i ? ", ?" : "?";
  auto& q = conn.Prepare("INSERT INTO ${usage}.cloud_usage (" + columns + ") VALUES (" + marks +
                         ")");
  q.Reset();
  int p = 1;
  for (const char* c : kIntColumns) {
    const std::string& v = row.at(c);
    if (v == "NULL") {
      q.BindNull(p++);
    } else {
      q.BindInt(p++, std::stoll(v));
    }
  }
  for (const char* c : kTextColumns) {
    const std::string& v = row.at(c);
    if (v == "NULL") {
      q.BindNull(p++);
    } else {
      q.BindText(p++, v);
    }
  }
  q.BindDouble(p++, std::strtod(row.at("raw_usage").c_str(), nullptr));
  q.BindTime(p++, ParseUtc(row.at("start_date")));
  q.BindTime(p++, ParseUtc(row.at("end_date")));
  q.Run();
}

class CompareScenarioTest : public ::testing::TestWithParam<ScenarioCase> {};
GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(CompareScenarioTest);

TEST_P(CompareScenarioTest, AJavaShapedCleanDatabaseHasNoUnexplainedDifference) {
  const ScenarioFile file = ParseScenarioFile(GetParam().path);
  ScenarioRunner runner(file, GetParam().engine);
  runner.Run();
  ASSERT_FALSE(::testing::Test::HasFailure()) << "the scenario itself fails";
  const std::vector<Row> java = JavaRecords(file);
  ASSERT_FALSE(java.empty());
  std::string now;
  for (const auto& step : file.steps) {
    if (step.command == "run") now = step.args.at(0);
  }
  std::set<int> types;
  Instant first = Instant::max(), last = Instant::min();
  for (const auto& r : java) {
    types.insert(std::stoi(r.at("usage_type")));
    first = std::min(first, ParseUtc(r.at("start_date")));
    last = std::max(last, ParseUtc(r.at("end_date")));
  }

  TestStore& db = runner.store();
  {
    store::Migrator migrator(*db.conn);
    migrator.Down(migrator.BaseVersion());
    store::Transaction tx(*db.conn);
    db.conn->Exec("DELETE FROM ${usage}.cloud_usage");
    for (const auto& r : java) InsertJavaRecord(*db.conn, r);
    tx.Commit();
  }

  for (const char* hours : {"float", "exact"}) {
    for (int type : types) {
      SCOPED_TRACE(fmt::format("usage type {}, hours {}", type, hours));
      CliResult r = RunCli({"--db", db.url, "--log-level", "warn", "compare", "--start",
                            FormatUtc(first), "--end", FormatUtc(last + std::chrono::seconds(1)),
                            "--now", now, "--type", std::to_string(type), "--hours", hours,
                            "--format", "json"});
      ASSERT_EQ(r.exit_code, 0) << r.err << r.out.substr(0, 3000);
      const json report = json::parse(r.out);
      EXPECT_EQ(report.at("unexplained"), 0) << r.out.substr(0, 3000);
      if (std::string(hours) == "float") {
        // Billing as the Java server does: every record the same.
        EXPECT_EQ(report.at("differences_total"), 0) << r.out.substr(0, 3000);
      }
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Scenarios, CompareScenarioTest,
                         ::testing::ValuesIn(ScenarioCases("compat_full_")),
                         [](const auto& info) { return ScenarioCaseName(info.param); });

}  // namespace
}  // namespace usaged::testing
