// /metrics of `usaged serve`, after real activity, judged by Prometheus' own
// checker: `promtool check metrics` (Debian's prometheus package, installed
// by scripts/install-deps.sh test) parses the exposition and lints it (HELP
// and TYPE, counter names ending in _total, histogram series, base units).
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>

#include "alert/alert.h"
#include "support/api_harness.h"

namespace usaged::testing {
namespace {

std::optional<std::string> FindOnPath(const std::string& program) {
  const char* path = std::getenv("PATH");
  std::istringstream dirs(path ? path : "");
  std::string dir;
  while (std::getline(dirs, dir, ':')) {
    std::string candidate = (dir.empty() ? "." : dir) + "/" + program;
    if (access(candidate.c_str(), X_OK) == 0) return candidate;
  }
  return std::nullopt;
}

struct ShellResult {
  int exit_code = -1;
  std::string output;  // stdout and stderr
};

ShellResult RunShell(const std::string& command) {
  ShellResult r;
  FILE* pipe = popen((command + " 2>&1").c_str(), "r");
  if (!pipe) return r;
  char buf[4096];
  while (size_t n = fread(buf, 1, sizeof buf, pipe)) r.output.append(buf, n);
  int status = pclose(pipe);
  if (status != -1 && WIFEXITED(status)) r.exit_code = WEXITSTATUS(status);
  return r;
}

class ApiMetricsTest : public ::testing::TestWithParam<std::string> {
 protected:
  ApiMetricsTest() : api_(GetParam()) {}

  bool Healthy(int port) {
    httplib::Client c("127.0.0.1", port);
    auto res = c.Get("/healthz");
    return res && (res->status == 200 || res->status == 503);
  }

  ApiHarness api_;
  TempDir dir_;
};

TEST_P(ApiMetricsTest, PromtoolAcceptsMetricsAfterActivity) {
  std::optional<std::string> promtool = FindOnPath("promtool");
  if (!promtool) {
    const char* ci = std::getenv("CI");
    if (ci && std::string(ci) == "true") {
      FAIL() << "promtool is missing: run scripts/install-deps.sh test (package prometheus)";
    }
    GTEST_SKIP() << "promtool is not installed (scripts/install-deps.sh test installs it)";
  }

  // Activity, so that the labelled and histogram series have samples: the
  // harness already billed two days (a RUN job); here come answered and
  // refused requests, an asynchronous regenerate (a REGENERATE job) and an
  // alert.
  int status = 0;
  api_.Json("alice", {{"command", "listUsageRecords"}, {"startdate", "2026-01-01"},
                      {"enddate", "2026-01-02"}}, &status);
  EXPECT_EQ(status, 200);
  api_.Json("root", {{"command", "listUsageRecords"}}, &status);
  EXPECT_EQ(status, 431);  // startdate and enddate are missing
  auto unsigned_request = api_.Get({{"command", "listUsageTypes"}, {"response", "json"}});
  ASSERT_TRUE(unsigned_request);
  EXPECT_EQ(unsigned_request->status, 401);
  auto accepted = api_.Json("root", {{"command", "regenerateUsageRecords"},
                                     {"startdate", "2026-01-01"},
                                     {"enddate", "2026-01-01"},
                                     {"accountid", "acct-alice"},
                                     {"reason", "metrics test"}});
  std::string job = accepted["regenerateusagerecordsresponse"]["jobid"];
  auto done = api_.WaitForJob("root", job);
  EXPECT_EQ(done["queryasyncjobresultresponse"]["jobstatus"], 1) << done.dump();
  alert::RaiseAlert(*api_.store().conn, api_.clock().Now(), alert::alert_type::kSanityFinding,
                    "usaged: \"sanity\" finding", "a finding for the metrics test");

  int port = FreeLocalPort();
  CliProcess serve({"--db", api_.store().url, "serve", "--listen",
                    "127.0.0.1:" + std::to_string(port), "--key-file",
                    dir_.path() + "/no-such.key"});
  ASSERT_TRUE(WaitFor([&] { return Healthy(port); }));
  httplib::Client client("127.0.0.1", port);
  auto res = client.Get("/metrics");
  ASSERT_TRUE(res);
  ASSERT_EQ(res->status, 200) << res->body;
  const std::string& body = res->body;
  // The activity shows, so promtool sees labelled counters and histograms.
  EXPECT_NE(body.find("usaged_up 1\n"), std::string::npos) << body;
  EXPECT_NE(body.find("usaged_jobs_total{kind=\"REGENERATE\",state=\"SUCCEEDED\"} 1\n"),
            std::string::npos)
      << body;
  EXPECT_NE(body.find("usaged_job_duration_seconds_count{kind=\"RUN\"} 1\n"), std::string::npos)
      << body;
  EXPECT_NE(body.find("usaged_job_duration_seconds_bucket{kind=\"REGENERATE\",le=\"+Inf\"} 1\n"),
            std::string::npos)
      << body;
  EXPECT_NE(body.find("usaged_alerts_total{type=\"USAGE_SANITY_FINDING\"} 1\n"),
            std::string::npos)
      << body;

  std::string file = dir_.path() + "/metrics.txt";
  std::ofstream(file, std::ios::binary) << body;
  ShellResult check = RunShell(fmt::format("'{}' check metrics < '{}'", *promtool, file));
  EXPECT_EQ(check.exit_code, 0) << "promtool check metrics:\n"
                                << check.output << "\n/metrics was:\n"
                                << body;

  serve.Signal(SIGTERM);
  CliResult stopped = serve.Wait();
  EXPECT_EQ(stopped.exit_code, 0) << stopped.err;
}

INSTANTIATE_TEST_SUITE_P(Engines, ApiMetricsTest, ::testing::ValuesIn(TestEngines()));

}  // namespace
}  // namespace usaged::testing
