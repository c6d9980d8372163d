// Response shapes of every API command, JSON and XML, against golden files
// written from CloudStack's serialisation rules (tests/golden/api/). Values
// that differ between machines or runs (host names, random job ids) are
// masked. USAGED_UPDATE_GOLDEN=1 rewrites the files.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <regex>
#include <sstream>

#include "support/api_harness.h"

namespace usaged::testing {
namespace {

const char* kVolatile[] = {"jobid", "usageserver", "hostname"};

std::string Mask(std::string body) {
  for (const char* key : kVolatile) {
    body = std::regex_replace(body, std::regex(fmt::format("\"{}\":\"[^\"]*\"", key)),
                              fmt::format("\"{}\":\"*\"", key));
    body = std::regex_replace(body, std::regex(fmt::format("<{0}>[^<]*</{0}>", key)),
                              fmt::format("<{0}>*</{0}>", key));
  }
  return body;
}

void ExpectGolden(const std::string& name, const std::string& body) {
  std::string path = std::string(USAGED_SOURCE_DIR) + "/tests/golden/api/" + name;
  if (std::getenv("USAGED_UPDATE_GOLDEN")) {
    std::ofstream(path) << body << "\n";
    return;
  }
  std::ifstream in(path);
  ASSERT_TRUE(in) << "missing golden file " << path;
  std::stringstream expected;
  expected << in.rdbuf();
  EXPECT_EQ(body + "\n", expected.str()) << "golden file " << name;
}

class ApiShapeTest : public ::testing::TestWithParam<std::string> {
 protected:
  ApiShapeTest() : api_(GetParam()) {}

  // The masked body of a signed GET as `who`, checked against
  // "<name>.<format>"; the HTTP status must be `status`.
  void Check(const std::string& name, const std::string& who, api::Params params,
             int status = 200) {
    for (const char* format : {"json", "xml"}) {
      api::Params p = params;
      p.emplace_back("response", format);
      auto res = api_.Get(api_.Signed(who, p));
      ASSERT_TRUE(res) << name;
      EXPECT_EQ(res->status, status) << name << " " << format << ": " << res->body;
      EXPECT_EQ(res->get_header_value("Content-Type").substr(0, 4),
                std::string(format) == "json" ? "appl" : "text");
      ExpectGolden(name + "." + format, Mask(res->body));
    }
  }

  ApiHarness api_;
};

TEST_P(ApiShapeTest, ListUsageRecords) {
  Check("listUsageRecords", "root",
        {{"command", "listUsageRecords"}, {"startdate", "2026-01-01"}, {"enddate", "2026-01-01"},
         {"type", "1"}});
  // Paging: page 2 of size 1 still counts every match.
  Check("listUsageRecords-page", "root",
        {{"command", "listUsageRecords"}, {"startdate", "2026-01-01"},
         {"enddate", "2026-01-02 23:59:59"}, {"page", "2"}, {"pagesize", "1"}});
  // Nothing in range: CloudStack leaves out count and the list.
  Check("listUsageRecords-empty", "root",
        {{"command", "listUsageRecords"}, {"startdate", "2025-01-01"}, {"enddate", "2025-01-02"}});
  auto csv = api_.Get(api_.Signed("root", {{"command", "listUsageRecords"},
                                           {"startdate", "2026-01-01"},
                                           {"enddate", "2026-01-01"},
                                           {"type", "1"},
                                           {"response", "csv"}}));
  ASSERT_TRUE(csv);
  ExpectGolden("listUsageRecords.csv", csv->body);
}

TEST_P(ApiShapeTest, ListUsageTypesJobsMetricsAndApis) {
  Check("listUsageTypes", "alice", {{"command", "listUsageTypes"}});
  Check("listUsageJobs", "root", {{"command", "listUsageJobs"}});
  Check("listUsageServerMetrics", "root", {{"command", "listUsageServerMetrics"}});
  Check("listApis", "alice", {{"command", "listApis"}});
}

TEST_P(ApiShapeTest, AsyncCommandsAndTheirResults) {
  for (const char* format : {"json", "xml"}) {
    auto res = api_.Get(api_.Signed("root", {{"command", "regenerateUsageRecords"},
                                             {"startdate", "2026-01-01"},
                                             {"enddate", "2026-01-01"},
                                             {"accountid", "acct-alice"},
                                             {"reason", "shape test"},
                                             {"response", format}}));
    ASSERT_TRUE(res);
    ExpectGolden(std::string("regenerateUsageRecords.") + format, Mask(res->body));
  }
  auto accepted = api_.Json("root", {{"command", "generateUsageRecords"},
                                     {"startdate", "2026-01-01"},
                                     {"enddate", "2026-01-03"}});
  std::string job = accepted["generateusagerecordsresponse"]["jobid"];
  api_.WaitForJob("root", job);
  Check("queryAsyncJobResult", "root", {{"command", "queryAsyncJobResult"}, {"jobid", job}});
}

TEST_P(ApiShapeTest, ErrorsAndRemoval) {
  Check("error-missing-parameter", "root", {{"command", "listUsageRecords"}}, 431);
  Check("error-not-for-role", "alice", {{"command", "listUsageServerMetrics"}}, 401);
  Check("error-unknown-command", "root", {{"command", "listVirtualMachines"}}, 432);
  Check("error-bad-date", "root",
        {{"command", "listUsageRecords"}, {"startdate", "2026-02-30"}, {"enddate", "2026-03-01"}},
        431);
  Check("removeRawUsageRecords", "root", {{"command", "removeRawUsageRecords"}, {"interval", "1"}});
  // Records of 2026-01-01 ended before the cutoff (now - 1 day); 2026-01-02 stays.
  EXPECT_EQ(QueryCount(*api_.store().conn, "SELECT count(*) FROM ${usage}.cloud_usage"), 6);
}

INSTANTIATE_TEST_SUITE_P(Engines, ApiShapeTest, ::testing::ValuesIn(TestEngines()));

}  // namespace
}  // namespace usaged::testing
