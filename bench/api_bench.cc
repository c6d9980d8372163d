// API benchmark: listUsageRecords pages of 500 with account and date filters
// over a large cloud_usage table, first one client (latency percentiles), then
// many concurrent clients for a while (errors, throughput, memory growth).
// Real HTTP, signed requests, the in-process server of `usaged serve`. Prints JSON.
//
//   usaged_bench_api [--records N] [--clients C] [--seconds S]
//                    [--sqlite-dir DIR | --mariadb-url URL] [--out FILE]
#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <httplib.h>
#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <random>
#include <thread>

#include "api/key_store.h"
#include "api/server.h"
#include "api/signing.h"
#include "parse/record_key.h"
#include "sim/cloud_writer.h"
#include "store/migrator.h"
#include "store/store.h"

namespace usaged::bench {
namespace {

using Steady = std::chrono::steady_clock;
constexpr int kAccounts = 1000;
constexpr int kDays = 100;
constexpr int64_t kBatch = 20'000;

struct Fixture {
  std::unique_ptr<store::Store> store;
  std::unique_ptr<store::Connection> conn;
  api::KeyStore::Created key;
};

// N records: account i % 1000, day (i / 1000) % 100, so every account has
// N/100,000 records per day.
void Fill(store::Connection& conn, int64_t n) {
  const Instant day0 = ParseUtc("2026-01-01 00:00:00");
  std::vector<UsageRecord> batch;
  auto flush = [&] {
    std::sort(batch.begin(), batch.end(),
              [](const auto& a, const auto& b) { return a.usage_key < b.usage_key; });
    store::Transaction tx(conn);
    conn.InsertUsageRecords(batch);
    tx.Commit();
    batch.clear();
  };
  for (int64_t i = 0; i < n; ++i) {
    UsageRecord r;
    r.zone_id = 1;
    r.account_id = 2 + i % kAccounts;
    r.domain_id = 1;
    r.usage_type = 1;
    r.raw_usage = 24;
    r.usage_display = "24 Hrs";
    r.vm_instance_id = i;
    r.usage_id = i;
    r.vm_name = fmt::format("vm-{}", i);
    r.offering_id = 10;
    r.template_id = 200;
    r.type = "KVM";
    r.description = fmt::format("vm-{} running time (ServiceOffering: 10) (Template: 200)", i);
    r.start_date = day0 + std::chrono::hours(24 * ((i / kAccounts) % kDays));
    r.end_date = r.start_date + std::chrono::hours(24) - std::chrono::seconds(1);
    r.usage_key = parse::NaturalKey(r);
    batch.push_back(std::move(r));
    if (static_cast<int64_t>(batch.size()) == kBatch) flush();
  }
  if (!batch.empty()) flush();
}

Fixture Build(const std::string& url, int64_t records, const std::string& key_file) {
  Fixture f;
  f.store = store::OpenStore(url);
  f.conn = f.store->Connect(/*create=*/true);
  store::Migrator(*f.conn).Up(SystemClock().Now());
  sim::CloudWriter cloud(*f.conn);
  int64_t root = cloud.AddDomain("ROOT", std::nullopt);
  int64_t admin = cloud.AddAccount("admin", root, 1);
  for (int a = 0; a < kAccounts; ++a) cloud.AddAccount(fmt::format("a{}", a), root);
  Fill(*f.conn, records);
  auto box = api::SecretBox::FromKeyFile(key_file, true);
  f.key = api::KeyStore(*f.conn, &box).Create(admin, api::Role::kAdmin, SystemClock().Now());
  return f;
}

std::string Query(const api::KeyStore::Created& key, std::mt19937& rng) {
  int account = 2 + static_cast<int>(rng() % kAccounts);
  int first = static_cast<int>(rng() % (kDays - 30));
  std::string start = FormatUtc(ParseUtc("2026-01-01 00:00:00") + std::chrono::hours(24 * first));
  std::string end = FormatUtc(ParseUtc(start) + std::chrono::hours(24 * 30));
  api::Params p = {{"command", "listUsageRecords"}, {"response", "json"},
                   {"accountid", std::to_string(account)}, {"startdate", start.substr(0, 10)},
                   {"enddate", end.substr(0, 10)}, {"pagesize", "500"},
                   {"apiKey", key.api_key}};
  p.emplace_back("signature", api::Sign(key.secret_key, p));
  std::string q;
  for (const auto& [k, v] : p) {
    q += (q.empty() ? "" : "&") + k + "=" + httplib::detail::encode_query_param(v);
  }
  return "/client/api?" + q;
}

int64_t RssKiB() {
  std::ifstream in("/proc/self/statm");
  int64_t pages = 0, resident = 0;
  in >> pages >> resident;
  return resident * (sysconf(_SC_PAGESIZE) / 1024);
}

double Percentile(std::vector<double> v, double p) {
  std::sort(v.begin(), v.end());
  return v.empty() ? 0 : v[std::min(v.size() - 1, static_cast<size_t>(p * v.size()))];
}

nlohmann::ordered_json Run(const std::string& url, int64_t records, int clients, int seconds,
                           const std::string& key_file) {
  auto t0 = Steady::now();
  Fixture f = Build(url, records, key_file);
  double fill_s = std::chrono::duration<double>(Steady::now() - t0).count();
  SystemClock clock;
  api::ServerOptions options;
  options.port = 0;
  options.threads = 16;
  auto box = api::SecretBox::FromKeyFile(key_file, false);
  api::ApiServer server(*f.store, clock, &box, options);
  server.Bind();
  server.Start();

  std::mt19937 rng(7);
  httplib::Client one("127.0.0.1", server.port());
  std::vector<double> ms;
  int64_t rows_per_page = 0;
  for (int i = 0; i < 1000; ++i) {
    std::string path = Query(f.key, rng);
    auto s = Steady::now();
    auto res = one.Get(path);
    ms.push_back(std::chrono::duration<double, std::milli>(Steady::now() - s).count());
    if (!res || res->status != 200) throw std::runtime_error("request failed");
    if (i == 0) {
      rows_per_page = static_cast<int64_t>(
          nlohmann::json::parse(res->body)["listusagerecordsresponse"]["usagerecord"].size());
    }
  }

  std::atomic<int64_t> ok{0}, errors{0};
  std::atomic<bool> stop{false};
  std::vector<std::thread> threads;
  for (int c = 0; c < clients; ++c) {
    threads.emplace_back([&, c] {
      std::mt19937 r(100 + c);
      httplib::Client client("127.0.0.1", server.port());
      client.set_read_timeout(30, 0);
      while (!stop.load()) {
        auto res = client.Get(Query(f.key, r));
        (res && res->status == 200 ? ok : errors)++;
      }
    });
  }
  // Memory is compared from a quarter of the way in (every pooled connection
  // and its page cache exists by then) to the end: growth would be a leak.
  auto warm = std::chrono::milliseconds(seconds * 250);
  std::this_thread::sleep_for(warm);
  int64_t rss_before = RssKiB();
  std::this_thread::sleep_for(std::chrono::milliseconds(seconds * 1000) - warm);
  stop = true;
  for (auto& t : threads) t.join();
  int64_t rss_after = RssKiB();
  server.Stop();

  nlohmann::ordered_json out;
  out["engine"] = url.rfind("mariadb", 0) == 0 ? "mariadb" : "sqlite";
  out["records"] = records;
  out["fill_seconds"] = fill_s;
  out["page_rows"] = rows_per_page;
  out["single_client"] = {{"requests", ms.size()},
                          {"p50_ms", Percentile(ms, 0.50)},
                          {"p99_ms", Percentile(ms, 0.99)},
                          {"max_ms", Percentile(ms, 1.0)}};
  out["concurrent"] = {{"clients", clients},
                       {"seconds", seconds},
                       {"requests", ok.load()},
                       {"errors", errors.load()},
                       {"requests_per_second", static_cast<double>(ok.load()) / seconds},
                       {"rss_kib_after_warmup", rss_before},
                       {"rss_kib_after", rss_after}};
  return out;
}

}  // namespace
}  // namespace usaged::bench

int main(int argc, char** argv) {
  CLI::App app{"usaged API benchmark"};
  int64_t records = 1'000'000;
  int clients = 100;
  int seconds = 60;
  std::string sqlite_dir = "/tmp/usaged-bench-api";
  std::string mariadb_url;
  std::string out_file;
  app.add_option("--records", records, "Rows in cloud_usage")->capture_default_str();
  app.add_option("--clients", clients, "Concurrent clients")->capture_default_str();
  app.add_option("--seconds", seconds, "Duration of the concurrent phase")->capture_default_str();
  app.add_option("--sqlite-dir", sqlite_dir, "Scratch directory (replaced)")->capture_default_str();
  app.add_option("--mariadb-url", mariadb_url, "Use MariaDB instead (databases replaced)");
  app.add_option("--out", out_file, "Also write the JSON here");
  CLI11_PARSE(app, argc, argv);
  spdlog::set_level(spdlog::level::warn);
  std::string url;
  if (mariadb_url.empty()) {
    std::filesystem::remove_all(sqlite_dir);
    url = "sqlite:" + sqlite_dir;
  } else {
    url = mariadb_url;
    auto p = usaged::store::ParseMariaDbUrl(url);
    auto admin = usaged::store::OpenMariaDbStore(p)->Connect(true);
    admin->Exec("DROP DATABASE IF EXISTS `" + p.cloud_db + "`");
    admin->Exec("DROP DATABASE IF EXISTS `" + p.usage_db + "`");
  }
  std::string key_file = std::filesystem::temp_directory_path() / "usaged-bench-api.key";
  std::filesystem::remove(key_file);
  auto result = usaged::bench::Run(url, records, clients, seconds, key_file);
  std::cout << result.dump(2) << "\n";
  if (!out_file.empty()) std::ofstream(out_file) << result.dump(2) << "\n";
  return 0;
}
