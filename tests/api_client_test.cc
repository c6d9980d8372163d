// End to end through the usaged binary: `apikey create` makes a key, `serve`
// (and `run --serve`) answer a third-party CloudStack client from npm
// (csclient, installed by scripts/install-deps.sh test into tests/node) that
// signs its own requests, including an asynchronous regenerate.
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <signal.h>

#include <cstdio>
#include <filesystem>
#include <sstream>

#include "support/api_harness.h"

namespace usaged::testing {
namespace {

const std::string kNodeDir = std::string(USAGED_SOURCE_DIR) + "/tests/node";

std::string RunAndCapture(const std::string& command) {
  std::string out;
  FILE* pipe = popen(command.c_str(), "r");
  if (!pipe) return out;
  char buf[4096];
  while (size_t n = fread(buf, 1, sizeof buf, pipe)) out.append(buf, n);
  pclose(pipe);
  return out;
}

class ApiClientTest : public ::testing::TestWithParam<std::string> {
 protected:
  ApiClientTest() : store_(NewTestStore(GetParam())), cloud_(SeedApiCloud(*store_->conn)) {}

  // `usaged apikey create` for `who`; returns the parsed JSON it prints.
  nlohmann::json CreateKey(const std::string& who, const std::string& role) {
    CliResult r = RunCli({"--db", store_->url, "apikey", "--key-file", KeyFile(), "create",
                          "--account", std::to_string(cloud_.accounts.at(who)), "--role", role,
                          "--format", "json"});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return nlohmann::json::parse(r.out);
  }
  std::string KeyFile() const { return dir_.path() + "/api.key"; }

  bool Healthy(int port) {
    httplib::Client c("127.0.0.1", port);
    auto res = c.Get("/healthz");
    return res && (res->status == 200 || res->status == 503);
  }

  std::unique_ptr<TestStore> store_;
  ApiCloud cloud_;
  TempDir dir_;
};

TEST_P(ApiClientTest, CsclientSignsListsAndRegeneratesAsynchronously) {
  ASSERT_TRUE(std::filesystem::exists(kNodeDir + "/node_modules/csclient"))
      << "csclient is missing: run scripts/install-deps.sh test";
  // Alice's domain admin: users only read, regenerating is for operators.
  nlohmann::json key = CreateKey("dana", "domain-admin");
  // Keys are listed without secrets; the secret is stored sealed.
  CliResult list = RunCli({"--db", store_->url, "apikey", "list", "--format", "json"});
  EXPECT_NE(list.out.find(key["apikey"].get<std::string>()), std::string::npos);
  EXPECT_EQ(list.out.find(key["secretkey"].get<std::string>()), std::string::npos);
  EXPECT_EQ(QueryCount(*store_->conn, "SELECT count(*) FROM ${usage}.usaged_api_key WHERE "
                                      "sealed_secret = '" + key["secretkey"].get<std::string>() +
                                      "'"),
            0);

  int port = FreeLocalPort();
  CliProcess serve({"--db", store_->url, "serve", "--listen", "127.0.0.1:" + std::to_string(port),
                    "--key-file", KeyFile()});
  ASSERT_TRUE(WaitFor([&] { return Healthy(port); }));

  std::string out = RunAndCapture(fmt::format(
      "cd '{}' && node csclient_check.js http://127.0.0.1:{} '{}' '{}' acct-alice acct-carol",
      kNodeDir, port, key["apikey"].get<std::string>(), key["secretkey"].get<std::string>()));
  auto result = nlohmann::json::parse(out, nullptr, false);
  ASSERT_FALSE(result.is_discarded()) << out;
  ASSERT_FALSE(result.contains("error")) << out;
  EXPECT_EQ(result["asyncCommands"],
            nlohmann::json::array({"generateUsageRecords", "regenerateUsageRecords"}));
  EXPECT_EQ(result["typeCount"], 25);
  EXPECT_EQ(result["recordCount"], 4);
  EXPECT_EQ(result["recordAccounts"], nlohmann::json::array({"alice"}));
  EXPECT_EQ(result["regenerate"]["jobstatus"], 1);
  EXPECT_EQ(result["regenerate"]["success"], true);
  EXPECT_EQ(result["regenerate"]["records"], 4);
  EXPECT_EQ(result["denied"]["code"], 531);  // carol (Globex) is outside dana's domain
  EXPECT_EQ(QueryCount(*store_->conn, "SELECT count(*) FROM ${usage}.usaged_job WHERE kind = "
                                      "'REGENERATE' AND state = 'SUCCEEDED' AND "
                                      "scope_account_id = " +
                                          std::to_string(cloud_.accounts.at("alice"))),
            1);

  // A revoked key is refused from the next request on.
  EXPECT_EQ(RunCli({"--db", store_->url, "apikey", "revoke", key["apikey"]}).exit_code, 0);
  std::string refused = RunAndCapture(fmt::format(
      "cd '{}' && node csclient_check.js http://127.0.0.1:{} '{}' '{}' acct-alice acct-carol",
      kNodeDir, port, key["apikey"].get<std::string>(), key["secretkey"].get<std::string>()));
  EXPECT_NE(refused.find("\"code\":401"), std::string::npos) << refused;

  serve.Signal(SIGTERM);
  CliResult done = serve.Wait();
  EXPECT_EQ(done.exit_code, 0) << done.err;
}

TEST_P(ApiClientTest, RunServeServesWhileTheSchedulerRuns) {
  nlohmann::json key = CreateKey("root", "admin");
  int port = FreeLocalPort();
  CliProcess run({"--db", store_->url, "run", "--serve", "--listen",
                  "127.0.0.1:" + std::to_string(port), "--key-file", KeyFile()});
  ASSERT_TRUE(WaitFor([&] { return Healthy(port); }));
  api::Params p = {{"command", "listUsageServerMetrics"}, {"response", "json"},
                   {"apiKey", key["apikey"]}};
  p.emplace_back("signature", api::Sign(key["secretkey"].get<std::string>(), p));
  std::string query;
  for (const auto& [k, v] : p) {
    query += (query.empty() ? "" : "&") + k + "=" + httplib::detail::encode_query_param(v);
  }
  httplib::Client client("127.0.0.1", port);
  auto res = client.Get("/client/api?" + query);
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200) << res->body;
  auto metrics = nlohmann::json::parse(res->body)["listusageservermetricsresponse"]["usageMetrics"];
  EXPECT_EQ(metrics["checkpoint"], "2026-01-03T00:00:00+0000");
  auto prom = client.Get("/metrics");
  ASSERT_TRUE(prom);
  EXPECT_NE(prom->body.find("usaged_records 12\n"), std::string::npos) << prom->body;
  run.Signal(SIGTERM);
  EXPECT_EQ(run.Wait().exit_code, 0);
}

// The refusals `usaged serve` logs: at warn level on its log, naming the key
// but never the secret or the signature, and a flood of bad requests gives a
// bounded number of lines (the count of those left out is tested with a
// clock that can be advanced, in api_refusal_log_test.cc).
TEST_P(ApiClientTest, ServeLogsRefusedRequestsBoundedAndWithoutSecrets) {
  nlohmann::json key = CreateKey("alice", "user");
  const std::string api_key = key["apikey"];
  const std::string secret = key["secretkey"];
  int port = FreeLocalPort();
  CliProcess serve({"--db", store_->url, "serve", "--listen", "127.0.0.1:" + std::to_string(port),
                    "--key-file", KeyFile()});
  ASSERT_TRUE(WaitFor([&] { return Healthy(port); }));
  httplib::Client client("127.0.0.1", port);
  auto get = [&](api::Params p, const std::string& signing_secret) {
    p.emplace_back("signature", api::Sign(signing_secret, p));
    std::string query;
    for (const auto& [k, v] : p) {
      query += (query.empty() ? "" : "&") + k + "=" + httplib::detail::encode_query_param(v);
    }
    auto res = client.Get("/client/api?" + query);
    return res ? res->status : -1;
  };
  // A wrong signature, then a request outside alice's scope.
  const api::Params list = {{"command", "listUsageRecords"}, {"startdate", "2026-01-01"},
                            {"enddate", "2026-01-02"}, {"apiKey", api_key}};
  api::Params forged = list;
  forged.emplace_back("signature", api::Sign("not-the-secret", list));
  const std::string forged_signature = forged.back().second;
  EXPECT_EQ(get(list, "not-the-secret"), 401);
  api::Params carol = list;
  carol.emplace_back("accountid", "acct-carol");
  EXPECT_EQ(get(carol, secret), 531);
  // A flood of requests with unknown keys.
  constexpr int kFlood = 200;
  for (int i = 0; i < kFlood; ++i) {
    ASSERT_EQ(get({{"command", "listUsageTypes"}, {"apiKey", fmt::format("flood-{}", i)}},
                  "whatever"),
              401);
  }
  serve.Signal(SIGTERM);
  CliResult done = serve.Wait();
  EXPECT_EQ(done.exit_code, 0) << done.err;
  auto lines_with = [&](const std::string& text) {
    int n = 0;
    std::istringstream in(done.err);
    for (std::string line; std::getline(in, line);) {
      if (line.find(text) != std::string::npos) {
        EXPECT_NE(line.find(" warning "), std::string::npos) << line;
        ++n;
      }
    }
    return n;
  };
  EXPECT_EQ(lines_with("'" + api_key + "' (command listUsageRecords): wrong signature"), 1)
      << done.err;
  EXPECT_EQ(lines_with("acct-carol does not exist or is not within the caller's scope"), 1)
      << done.err;
  int flood_lines = lines_with("'flood-");
  EXPECT_GE(flood_lines, 1) << done.err;
  EXPECT_LE(flood_lines, 20) << done.err;
  EXPECT_EQ(done.err.find(secret), std::string::npos) << done.err;
  EXPECT_EQ(done.err.find(forged_signature), std::string::npos) << done.err;
}

// `apikey create` seals with the key file the store's keys were sealed with:
// one that does not open them (missing, or another key) is refused before
// anything is written, instead of sealing a key no server could open.
TEST_P(ApiClientTest, ApiKeyCreateRefusesAKeyFileThatDoesNotOpenTheStoredSecrets) {
  nlohmann::json first = CreateKey("alice", "user");
  auto create_with = [&](const std::string& key_file) {
    return RunCli({"--db", store_->url, "apikey", "--key-file", key_file, "create", "--account",
                   std::to_string(cloud_.accounts.at("bob")), "--role", "user"});
  };
  auto keys = [&] {
    return QueryCount(*store_->conn, "SELECT count(*) FROM ${usage}.usaged_api_key");
  };
  // A key file that does not exist yet: not created, nothing stored.
  const std::string missing = dir_.path() + "/missing.key";
  CliResult r = create_with(missing);
  EXPECT_EQ(r.exit_code, 2) << r.out << r.err;
  EXPECT_NE(r.err.find(missing), std::string::npos) << r.err;
  EXPECT_FALSE(std::filesystem::exists(missing));
  // Another key (a file of 32 random bytes): refused, naming a key it does not open.
  const std::string other = dir_.path() + "/other.key";
  api::SecretBox::FromKeyFile(other, /*create_if_missing=*/true);
  r = create_with(other);
  EXPECT_EQ(r.exit_code, 2) << r.out << r.err;
  EXPECT_NE(r.err.find(first["apikey"].get<std::string>()), std::string::npos) << r.err;
  EXPECT_EQ(r.out.find("secretkey"), std::string::npos) << r.out;
  EXPECT_EQ(keys(), 1);
  // The right key file still works; once the stored keys are revoked, any key
  // file may seal new ones.
  EXPECT_EQ(create_with(KeyFile()).exit_code, 0);
  EXPECT_EQ(keys(), 2);
  store_->conn->Run("UPDATE ${usage}.usaged_api_key SET revoked_at = created_at");
  r = create_with(other);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(keys(), 3);
}

INSTANTIATE_TEST_SUITE_P(Engines, ApiClientTest, ::testing::ValuesIn(TestEngines()));

}  // namespace
}  // namespace usaged::testing
