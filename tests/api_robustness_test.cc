// Hostile input, TLS and the Prometheus text format.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <future>
#include <memory>
#include <random>
#include <thread>
#include <regex>

#include "api/async_jobs.h"
#include "core/error.h"
#include "job/job_log.h"
#include "support/api_harness.h"

namespace usaged::testing {
namespace {

class ApiRobustnessTest : public ::testing::TestWithParam<std::string> {
 protected:
  ApiRobustnessTest() : api_(GetParam()) {}
  ApiHarness api_;
};

// Values meant to break parsers, SQL and serialisers.
const std::vector<std::string> kHostile = {
    "", " ", "0", "-1", "-9223372036854775808", "9223372036854775807", "99999999999999999999",
    "1e9", "0x10", "2026-01-01", "2026-02-30", "2026-01-01 25:00:00", "1969-12-31", "9999-12-31",
    "2026-01-01T00:00:00+0000", "' OR '1'='1", "1; DROP TABLE cloud_usage; --",
    "\" onmouseover=\"x", "<xml>&amp;</xml>", "../../etc/passwd", "%00", std::string("a\0b", 3),
    "\xff\xfe\xfd", "ünïcödé ✓ 𝄞", "true", "false", "acct-alice", "dom-Acme", "dom-ROOT",
    std::string(5000, 'x'), "1000000000", "500", "501", "NaN", "null", "[]", "{}"};

const std::vector<std::string> kCommands = {
    "listUsageRecords", "listUsageTypes", "listUsageJobs", "listUsageServerMetrics",
    "generateUsageRecords", "regenerateUsageRecords", "removeRawUsageRecords", "listApis",
    "queryAsyncJobResult", "LISTUSAGERECORDS", "nope", ""};

const std::vector<std::string> kNames = {
    "startdate", "enddate", "account", "accountid", "domainid", "projectid", "type", "usageid",
    "includetags", "oldformat", "isrecursive", "keyword", "page", "pagesize", "interval",
    "jobid", "reason", "kind", "state", "duration", "name", "response", "usageserver"};

TEST_P(ApiRobustnessTest, TenThousandHostileRequestsGetCloudStackAnswers) {
  std::mt19937 rng(20260103);
  auto pick = [&](const auto& v) { return v[rng() % v.size()]; };
  const std::vector<std::string> who = {"root", "dana", "alice"};
  int answered = 0;
  for (int i = 0; i < 10'000; ++i) {
    api::Params p = {{"command", pick(kCommands)}};
    int n = static_cast<int>(rng() % 6);
    for (int j = 0; j < n; ++j) p.emplace_back(pick(kNames), pick(kHostile));
    if (rng() % 4 == 0) p.emplace_back("response", pick(std::vector<std::string>{"json", "xml", "csv", "JSON", "yaml"}));
    bool sign = rng() % 5 != 0;
    api::Params request = sign ? api_.Signed(pick(who), p) : p;
    if (!sign && rng() % 2) request.emplace_back("signature", pick(kHostile));
    auto res = rng() % 3 == 0 ? api_.Post(request) : api_.Get(request);
    ASSERT_TRUE(res) << "request " << i << " got no answer (server down?)";
    ++answered;
    int s = res->status;
    ASSERT_TRUE(s == 200 || s == 401 || s == 405 || (s >= 430 && s <= 432) || s == 531 ||
                s == 536 || s == 530 || s == 413 || s == 414)
        << "request " << i << ": status " << s << " " << res->body;
    if (s != 200 && res->get_header_value("Content-Type").find("csv") == std::string::npos) {
      // Every error carries CloudStack's error fields.
      EXPECT_NE(res->body.find("errorcode"), std::string::npos) << res->body;
      EXPECT_NE(res->body.find("errortext"), std::string::npos) << res->body;
    }
    if (s == 530) ADD_FAILURE() << "internal error for request " << i << ": " << res->body;
  }
  EXPECT_EQ(answered, 10'000);
  // Truncated and oversized bodies, and a raw garbage request line.
  httplib::Client client("127.0.0.1", api_.port());
  auto truncated = client.Post("/client/api", "command=listUsageTypes&apiKey=%E2%8", 
                               "application/x-www-form-urlencoded");
  ASSERT_TRUE(truncated);
  EXPECT_EQ(truncated->status, 401);
  auto huge = client.Post("/client/api", std::string(2 << 20, 'a'),
                          "application/x-www-form-urlencoded");
  ASSERT_TRUE(huge);
  EXPECT_EQ(huge->status, 413);
  // Still serving, and the records are untouched by everything above except
  // what admins may do (removeRawUsageRecords keeps records newer than a day).
  EXPECT_EQ(api_.Json("alice", {{"command", "listUsageTypes"}})["listusagetypesresponse"]["count"],
            25);
}

TEST_P(ApiRobustnessTest, MetricsAreValidPrometheusText) {
  httplib::Client client("127.0.0.1", api_.port());
  auto res = client.Get("/metrics");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
  EXPECT_EQ(res->get_header_value("Content-Type"), "text/plain; version=0.0.4; charset=utf-8");
  // The exposition format's grammar: HELP/TYPE comments, then samples of the
  // declared metric (histograms: _bucket/_sum/_count) with a numeric value.
  std::regex help("# HELP ([a-zA-Z_:][a-zA-Z0-9_:]*) .+");
  std::regex type("# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) (counter|gauge|histogram)");
  std::regex sample(R"(([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[a-zA-Z_]+="[^"]*"(,[a-zA-Z_]+="[^"]*")*\})? )"
                    R"((-?[0-9.e+]+|\+Inf|NaN))");
  std::string declared;
  std::set<std::string> names;
  std::istringstream in(res->body);
  std::string line;
  std::smatch m;
  while (std::getline(in, line)) {
    if (std::regex_match(line, m, help)) continue;
    if (std::regex_match(line, m, type)) {
      declared = m[1];
      EXPECT_TRUE(names.insert(declared).second) << "declared twice: " << declared;
      continue;
    }
    ASSERT_TRUE(std::regex_match(line, m, sample)) << line;
    std::string name = m[1];
    EXPECT_TRUE(name == declared || name == declared + "_bucket" || name == declared + "_sum" ||
                name == declared + "_count")
        << line;
  }
  for (const char* want : {"usaged_checkpoint_lag_seconds", "usaged_records_written_total",
                           "usaged_events_ingested_total", "usaged_events_quarantined_total",
                           "usaged_duplicates_healed_total", "usaged_alerts_total",
                           "usaged_job_duration_seconds", "usaged_up"}) {
    EXPECT_TRUE(names.count(want)) << want;
  }
  EXPECT_NE(res->body.find("usaged_checkpoint_lag_seconds 3600\n"), std::string::npos);
  EXPECT_NE(res->body.find("usaged_job_duration_seconds_count{kind=\"RUN\"} 1\n"),
            std::string::npos);

  auto health = client.Get("/healthz");
  ASSERT_TRUE(health);
  EXPECT_EQ(health->status, 200) << health->body;
  // Two days later nothing has been billed: the lag is over twice the range.
  api_.clock().Advance(std::chrono::hours(48));
  health = client.Get("/healthz");
  ASSERT_TRUE(health);
  EXPECT_EQ(health->status, 503) << health->body;
}

TEST_P(ApiRobustnessTest, ServesHttpsWithAGivenCertificate) {
  TempDir dir;
  std::string cert = dir.path() + "/cert.pem", key = dir.path() + "/key.pem";
  int rc = std::system(fmt::format("openssl req -x509 -newkey rsa:2048 -nodes -subj /CN=localhost "
                                   "-days 1 -keyout {} -out {} 2>/dev/null",
                                   key, cert).c_str());
  ASSERT_EQ(rc, 0) << "openssl could not make a test certificate";
  ManualClock clock(ParseUtc("2026-01-03 01:00:00"));
  api::ServerOptions options;
  options.port = 0;
  options.tls_cert = cert;
  options.tls_key = key;
  api::ApiServer server(*api_.store().store, clock, nullptr, options);
  server.Bind();
  server.Start();
  httplib::SSLClient client("127.0.0.1", server.port());
  client.set_ca_cert_path(cert.c_str());
  client.enable_server_certificate_verification(false);  // CN is localhost, we dial 127.0.0.1
  auto res = client.Get("/healthz");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
  // Plain HTTP to the TLS port gets no answer.
  httplib::Client plain("127.0.0.1", server.port());
  EXPECT_FALSE(plain.Get("/healthz"));
  api::ServerOptions bad = options;
  bad.tls_key = dir.path() + "/missing.pem";
  EXPECT_THROW(api::ApiServer unused(*api_.store().store, clock, nullptr, bad), InputError);
}

TEST_P(ApiRobustnessTest, StoppingRightAfterStartingReturns) {
  // A stop that comes before the server's threads run must still end them.
  // The cycles run on a thread of their own so that a hanging Stop fails
  // this test instead of stalling the suite.
  auto finished = std::make_shared<std::promise<void>>();
  auto done = finished->get_future();
  std::thread cycles([&store = *api_.store().store, finished] {
    ManualClock clock(ParseUtc("2026-01-03 01:00:00"));
    api::ServerOptions options;
    options.port = 0;
    for (int i = 0; i < 50; ++i) {
      api::ApiServer server(store, clock, nullptr, options);
      server.Bind();
      server.Start();
      server.Stop();
    }
    finished->set_value();
  });
  if (done.wait_for(std::chrono::seconds(60)) != std::future_status::ready) {
    cycles.detach();  // blocked for good; the process ends with it
    FAIL() << "ApiServer::Stop right after Start did not return";
  }
  cycles.join();
}

TEST_P(ApiRobustnessTest, JobsOfAStoppedServerFailOthersStayPending) {
  auto& conn = *api_.store().conn;
  const std::string insert =
      "INSERT INTO ${usage}.usaged_async_job (uuid, command, account_id, status, owner, "
      "created_at) VALUES (?, 'regenerateUsageRecords', ?, 0, ?, ?)";
  // A pid above the kernel's maximum never runs.
  conn.Run(insert, "job-of-dead-server", api_.account("alice"), job::HostName() + ":2147483646",
           api_.clock().Now());
  conn.Run(insert, "job-of-other-host", api_.account("alice"), "elsewhere/10.0.0.9:42",
           api_.clock().Now());
  api::AsyncJobs restarted(*api_.store().store, api_.clock());
  auto dead = api::AsyncJobs::Find(conn, "job-of-dead-server");
  ASSERT_TRUE(dead);
  EXPECT_EQ(dead->status, 2);
  EXPECT_EQ(dead->result["errortext"], "the server stopped before the job ran");
  EXPECT_EQ(api::AsyncJobs::Find(conn, "job-of-other-host")->status, 0);
}

INSTANTIATE_TEST_SUITE_P(Engines, ApiRobustnessTest, ::testing::ValuesIn(TestEngines()));

}  // namespace
}  // namespace usaged::testing
