// `usaged serve` under a thousand slow connections (loopback only): 900 silent
// ones and 100 trickling a request header one byte per second, held for 30 s.
// Meanwhile /healthz and a signed listUsageRecords must answer quickly, the
// server must close every slow connection at its request deadline, and its
// memory must stay flat.
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <signal.h>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <thread>

#include "api/signing.h"
#include "support/api_harness.h"
#include "support/slow_clients.h"

namespace usaged::testing {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

constexpr auto kHold = std::chrono::seconds(30);
// The server's default request deadline (api::TransportLimits), and how late
// a close may be seen on a loaded machine.
constexpr auto kRequestDeadline = milliseconds(10'000);
constexpr auto kCloseSlack = milliseconds(1'500);
constexpr auto kP99Limit = milliseconds(100);

// The resident memory of a process, in KiB (VmRSS in /proc/PID/status).
long ResidentKib(pid_t pid) {
  std::ifstream status(fmt::format("/proc/{}/status", pid));
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmRSS:", 0) == 0) return std::stol(line.substr(6));
  }
  return -1;
}

milliseconds P99(std::vector<milliseconds> v) {
  if (v.empty()) return milliseconds::max();
  std::sort(v.begin(), v.end());
  size_t at = (v.size() * 99 + 99) / 100 - 1;
  return v[std::min(at, v.size() - 1)];
}

class ApiSlowClientsTest : public ::testing::TestWithParam<std::string> {
 protected:
  ApiSlowClientsTest() : store_(NewTestStore(GetParam())), cloud_(SeedApiCloud(*store_->conn)) {}
  std::string KeyFile() const { return dir_.path() + "/api.key"; }

  std::unique_ptr<TestStore> store_;
  ApiCloud cloud_;
  TempDir dir_;
};

TEST_P(ApiSlowClientsTest, AThousandSlowConnectionsHoldNoRequestBack) {
  // A descriptor per slow connection, in this process (the server raises its own).
  ASSERT_GE(RaiseOpenFileLimit(4096), 1200) << "the open-file limit is too low for this test";

  CliResult created = RunCli({"--db", store_->url, "apikey", "--key-file", KeyFile(), "create",
                              "--account", std::to_string(cloud_.accounts.at("alice")),
                              "--role", "user", "--format", "json"});
  ASSERT_EQ(created.exit_code, 0) << created.err;
  auto key = nlohmann::json::parse(created.out);
  api::Params p = {{"command", "listUsageRecords"}, {"startdate", "2026-01-01"},
                   {"enddate", "2026-01-02"}, {"response", "json"},
                   {"apiKey", key["apikey"].get<std::string>()}};
  p.emplace_back("signature", api::Sign(key["secretkey"].get<std::string>(), p));
  std::string list_path = "/client/api?";
  for (const auto& [k, v] : p) {
    list_path += (list_path.back() == '?' ? "" : "&") + k + "=" +
                 httplib::detail::encode_query_param(v);
  }

  int port = FreeLocalPort();
  // The billed days are long past: a lag limit beyond them keeps /healthz at 200.
  CliProcess serve({"--db", store_->url, "serve", "--listen", "127.0.0.1:" + std::to_string(port),
                    "--key-file", KeyFile(), "--max-lag", "1000000000"});
  // One request on a connection of its own; its status (0: no answer) and time.
  auto timed_get = [&](const std::string& path, std::string* body = nullptr) {
    httplib::Client client("127.0.0.1", port);
    client.set_connection_timeout(5, 0);
    client.set_read_timeout(5, 0);
    auto start = Clock::now();
    auto res = client.Get(path);
    auto took = std::chrono::duration_cast<milliseconds>(Clock::now() - start);
    if (res && body) *body = res->body;
    return std::make_pair(res ? res->status : 0, took);
  };
  ASSERT_TRUE(WaitFor([&] { return timed_get("/healthz").first == 200; }));
  std::string body;
  ASSERT_EQ(timed_get(list_path, &body).first, 200) << body;
  ASSERT_EQ(nlohmann::json::parse(body)["listusagerecordsresponse"]["count"], 4) << body;
  for (int i = 0; i < 20; ++i) timed_get(list_path);  // warm: the pool's connections are open
  long rss_before = ResidentKib(serve.pid());

  SlowClientsOptions slow_options;
  slow_options.port = port;
  SlowClients slow(slow_options);
  ASSERT_TRUE(WaitFor([&] { return slow.open() >= 1000; }, std::chrono::seconds(20)))
      << slow.open() << " slow connections open";

  std::vector<milliseconds> health, list;
  std::vector<int> open;  // slow connections, sampled
  int failed = 0;
  long rss_held = 0;
  auto start = Clock::now();
  while (Clock::now() - start < kHold) {
    auto h = timed_get("/healthz");
    auto l = timed_get(list_path);
    failed += (h.first != 200) + (l.first != 200);
    health.push_back(h.second);
    list.push_back(l.second);
    open.push_back(slow.open());
    // Past the first round of deadlines, every kind of connection has been
    // opened, cut and opened again.
    if (!rss_held && Clock::now() - start > kRequestDeadline + kCloseSlack) {
      rss_held = ResidentKib(serve.pid());
    }
    std::this_thread::sleep_for(milliseconds(20));  // pacing: about 20 requests a second
  }
  long rss_end = ResidentKib(serve.pid());
  SlowClientsReport report = slow.Stop();

  EXPECT_EQ(failed, 0) << "requests without a 200 answer";
  EXPECT_LE(P99(health), kP99Limit) << health.size() << " /healthz requests";
  EXPECT_LE(P99(list), kP99Limit) << list.size() << " listUsageRecords requests";
  // The thousand stayed connected: a slot reconnects when cut (the silent
  // ones are all cut in the same instant, hence the median).
  std::sort(open.begin(), open.end());
  EXPECT_GE(open[open.size() / 2], 990);
  EXPECT_EQ(report.connect_failures, 0);
  // Every slow connection was cut at its deadline, none held longer.
  EXPECT_GE(report.closed_by_server, 1000);
  EXPECT_GE(report.longest_trickling_life, kRequestDeadline - milliseconds(500));
  EXPECT_LE(report.longest_trickling_life, kRequestDeadline + kCloseSlack);
  EXPECT_LE(report.longest_silent_life, kRequestDeadline + kCloseSlack);
  EXPECT_LE(report.oldest_open_at_stop, kRequestDeadline + kCloseSlack);
  EXPECT_GT(report.bytes_trickled, 0);
  // Memory: bounded by the connections held, and flat while they churn.
  // (Not under AddressSanitizer, whose quarantine keeps freed memory: the
  // server is then built with it too.)
#ifndef __SANITIZE_ADDRESS__
  EXPECT_LE(rss_end - rss_before, 64 * 1024) << "KiB before " << rss_before << ", end " << rss_end;
  EXPECT_LE(rss_end - rss_held, 8 * 1024) << "KiB held " << rss_held << ", end " << rss_end;
#endif
  RecordProperty("rss_kib", fmt::format("{} {} {}", rss_before, rss_held, rss_end));
  RecordProperty("p99_ms", fmt::format("{} {}", P99(health).count(), P99(list).count()));
  std::cerr << fmt::format("RSS KiB before {} held {} end {}; p99 ms healthz {} list {} of {}; "
                           "connects {} closed {} trickled {} longest {}/{} ms\n",
                           rss_before, rss_held, rss_end, P99(health).count(), P99(list).count(),
                           list.size(), report.connects, report.closed_by_server,
                           report.bytes_trickled, report.longest_trickling_life.count(),
                           report.longest_silent_life.count());

  serve.Signal(SIGTERM);
  CliResult stopped = serve.Wait();
  EXPECT_EQ(stopped.exit_code, 0) << stopped.err;
}

INSTANTIATE_TEST_SUITE_P(Engines, ApiSlowClientsTest, ::testing::ValuesIn(TestEngines()));

}  // namespace
}  // namespace usaged::testing
