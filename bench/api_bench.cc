// API benchmark: listUsageRecords pages of 500 with account and date filters
// over a large cloud_usage table, first one client (latency percentiles), then
// many concurrent clients for a while (errors, throughput, memory growth).
// Real HTTP, signed requests, a `usaged serve` process whose memory is
// sampled. Prints JSON.
//
//   usaged_bench_api [--records N] [--clients C] [--seconds S]
//                    [--sqlite-dir DIR | --mariadb-url URL] [--reuse] [--out FILE]
#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <httplib.h>
#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <mutex>
#include <random>
#include <thread>

#include "api/key_store.h"
#include "bench/bench_db.h"
#include "core/clock.h"
#include "api/signing.h"
#include "parse/record_key.h"
#include "sim/cloud_writer.h"
#include "store/migrator.h"
#include "store/store.h"

extern char** environ;

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

// Writes the accounts and N records, or with `reuse` takes a store an
// earlier run filled with N records as it is (after migrating it).
Fixture Build(const std::string& url, int64_t records, const std::string& key_file, bool reuse) {
  Fixture f;
  f.store = store::OpenStore(url);
  f.conn = f.store->Connect(/*create=*/true);
  store::Migrator(*f.conn).Up(SystemClock().Now());
  std::optional<int64_t> admin;
  if (reuse) {
    admin = f.conn->QueryInt("SELECT id FROM ${cloud}.account WHERE account_name = 'admin'");
    int64_t n = f.conn->QueryInt("SELECT count(*) FROM ${usage}.cloud_usage").value_or(0);
    if (!admin || n != records) {
      throw std::runtime_error(fmt::format("--reuse: the store holds {} records, not {}", n,
                                           records));
    }
  } else {
    sim::CloudWriter cloud(*f.conn);
    int64_t root = cloud.AddDomain("ROOT", std::nullopt);
    admin = cloud.AddAccount("admin", root, 1);
    for (int a = 0; a < kAccounts; ++a) cloud.AddAccount(fmt::format("a{}", a), root);
    Fill(*f.conn, records);
  }
  auto box = api::SecretBox::FromKeyFile(key_file, true);
  f.key = api::KeyStore(*f.conn, &box).Create(*admin, api::Role::kAdmin, SystemClock().Now());
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

double Percentile(std::vector<double> v, double p) {
  std::sort(v.begin(), v.end());
  return v.empty() ? 0 : v[std::min(v.size() - 1, static_cast<size_t>(p * v.size()))];
}

// A `usaged serve` process on the benchmark's store, on a free port.
class ServeProcess {
 public:
  ServeProcess(const std::string& usaged, const std::string& url, const std::string& key_file,
               int threads) {
    port_ = FreePort();
    std::vector<std::string> args = {usaged, "--db", url, "--log-level", "warn", "serve",
                                     "--listen", fmt::format("127.0.0.1:{}", port_),
                                     "--key-file", key_file, "--threads",
                                     std::to_string(threads)};
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    if (posix_spawn(&pid_, argv[0], nullptr, nullptr, argv.data(), environ) != 0) {
      throw std::runtime_error("cannot start " + usaged);
    }
    httplib::Client probe("127.0.0.1", port_);
    for (int i = 0; i < 300; ++i) {
      if (auto res = probe.Get("/healthz")) return;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    throw std::runtime_error("usaged serve did not answer /healthz");
  }
  ~ServeProcess() {
    kill(pid_, SIGTERM);
    int status = 0;
    waitpid(pid_, &status, 0);
  }
  int port() const { return port_; }
  // Resident memory of the server process.
  int64_t RssKiB() const {
    std::ifstream in(fmt::format("/proc/{}/statm", pid_));
    int64_t pages = 0, resident = 0;
    in >> pages >> resident;
    return resident * (sysconf(_SC_PAGESIZE) / 1024);
  }

 private:
  // A port nobody listens on now (the kernel picks it; the socket is closed
  // again before usaged binds it).
  static int FreePort() {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof addr;
    if (fd < 0 || bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
        getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
      throw std::runtime_error("no free port");
    }
    close(fd);
    return ntohs(addr.sin_port);
  }
  pid_t pid_ = 0;
  int port_ = 0;
};

// One client, one request at a time: latency percentiles.
nlohmann::ordered_json SingleClient(const ServeProcess& serve, const Fixture& f,
                                    int64_t& rows_per_page) {
  std::mt19937 rng(7);
  httplib::Client one("127.0.0.1", serve.port());
  std::vector<double> ms;
  for (int i = 0; i < 2000; ++i) {
    std::string path = Query(f.key, rng);
    auto s = Steady::now();
    auto res = one.Get(path);
    if (i >= 100) ms.push_back(std::chrono::duration<double, std::milli>(Steady::now() - s).count());
    if (!res || res->status != 200) {
      throw std::runtime_error(res ? fmt::format("HTTP {}: {}", res->status, res->body)
                                   : "no answer: " + httplib::to_string(res.error()));
    }
    if (i == 0) {
      rows_per_page = static_cast<int64_t>(
          nlohmann::json::parse(res->body)["listusagerecordsresponse"]["usagerecord"].size());
    }
  }
  return {{"requests", ms.size()},       {"p50_ms", Percentile(ms, 0.50)},
          {"p95_ms", Percentile(ms, 0.95)}, {"p99_ms", Percentile(ms, 0.99)},
          {"max_ms", Percentile(ms, 1.0)}};
}

// `clients` clients without pause for `seconds`: errors, throughput, latency,
// and the server's memory sampled every second.
nlohmann::ordered_json Concurrent(const ServeProcess& serve, const Fixture& f, int clients,
                                  int seconds) {
  std::atomic<int64_t> ok{0}, errors{0};
  std::atomic<bool> stop{false};
  std::mutex mu;
  std::vector<double> ms;
  std::vector<std::thread> threads;
  for (int c = 0; c < clients; ++c) {
    threads.emplace_back([&, c] {
      std::mt19937 r(100 + c);
      httplib::Client client("127.0.0.1", serve.port());
      client.set_read_timeout(30, 0);
      std::vector<double> mine;
      while (!stop.load()) {
        auto s = Steady::now();
        auto res = client.Get(Query(f.key, r));
        mine.push_back(std::chrono::duration<double, std::milli>(Steady::now() - s).count());
        (res && res->status == 200 ? ok : errors)++;
      }
      std::lock_guard lock(mu);
      ms.insert(ms.end(), mine.begin(), mine.end());
    });
  }
  std::vector<int64_t> rss;
  for (int s = 0; s < seconds; ++s) {
    std::this_thread::sleep_for(std::chrono::seconds(1));
    rss.push_back(serve.RssKiB());
  }
  stop = true;
  for (auto& t : threads) t.join();
  // From a quarter of the way in, every pooled connection and its caches
  // exist; growth after that would be a leak.
  const size_t warm = rss.size() / 4;
  int64_t peak_after_warm = *std::max_element(rss.begin() + warm, rss.end());
  return {{"clients", clients},
          {"seconds", seconds},
          {"requests", ok.load()},
          {"errors", errors.load()},
          {"requests_per_second", static_cast<double>(ok.load()) / seconds},
          {"p50_ms", Percentile(ms, 0.50)},
          {"p99_ms", Percentile(ms, 0.99)},
          {"server_rss_kib_at_quarter", rss[warm]},
          {"server_rss_kib_peak_after_quarter", peak_after_warm},
          {"server_rss_kib_end", rss.back()}};
}

nlohmann::ordered_json Run(const std::string& url, int64_t records, int clients, int seconds,
                           const std::string& key_file, const std::string& usaged, bool reuse) {
  auto t0 = Steady::now();
  Fixture f = Build(url, records, key_file, reuse);
  double fill_s = std::chrono::duration<double>(Steady::now() - t0).count();
  WaitForCleanPages(*f.conn);
  ServeProcess serve(usaged, url, key_file, 16);
  nlohmann::ordered_json out;
  out["engine"] = url.rfind("mariadb", 0) == 0 ? "mariadb" : "sqlite";
  out["records"] = records;
  out["fill_seconds"] = fill_s;
  out["database_memory"] = ServerMemory(*f.conn);
  int64_t rows_per_page = 0;
  out["single_client"] = SingleClient(serve, f, rows_per_page);
  out["page_rows"] = rows_per_page;
  out["concurrent"] = Concurrent(serve, f, clients, seconds);
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
  bool reuse = false;
  std::string usaged = (std::filesystem::absolute(argv[0]).parent_path().parent_path() / "usaged");
  app.add_option("--usaged", usaged, "usaged binary to serve from")->capture_default_str();
  app.add_option("--records", records, "Rows in cloud_usage")->capture_default_str();
  app.add_option("--clients", clients, "Concurrent clients")->capture_default_str();
  app.add_option("--seconds", seconds, "Duration of the concurrent phase")->capture_default_str();
  app.add_option("--sqlite-dir", sqlite_dir, "Scratch directory (replaced)")->capture_default_str();
  app.add_option("--mariadb-url", mariadb_url, "Use MariaDB instead (databases replaced)");
  app.add_option("--out", out_file, "Also write the JSON here");
  app.add_flag("--reuse", reuse, "Keep the records an earlier run wrote (same --records)");
  CLI11_PARSE(app, argc, argv);
  spdlog::set_level(spdlog::level::warn);
  std::string url;
  if (mariadb_url.empty()) {
    if (!reuse) std::filesystem::remove_all(sqlite_dir);
    url = "sqlite:" + sqlite_dir;
  } else if (reuse) {
    url = mariadb_url;
  } else {
    url = mariadb_url;
    auto p = usaged::store::ParseMariaDbUrl(url);
    auto admin = usaged::store::OpenMariaDbStore(p)->Connect(true);
    admin->Exec("DROP DATABASE IF EXISTS `" + p.cloud_db + "`");
    admin->Exec("DROP DATABASE IF EXISTS `" + p.usage_db + "`");
  }
  std::string key_file = std::filesystem::temp_directory_path() / "usaged-bench-api.key";
  std::filesystem::remove(key_file);
  try {
    auto result = usaged::bench::Run(url, records, clients, seconds, key_file, usaged, reuse);
    std::cout << result.dump(2) << "\n";
    if (!out_file.empty()) std::ofstream(out_file) << result.dump(2) << "\n";
  } catch (const std::exception& e) {
    std::cerr << "usaged_bench_api: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
