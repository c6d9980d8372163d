// Write benchmark: usaged's end-to-end rate (usage events -> cloud_usage
// records, everything a `run --once` does) against the raw insert limit of the
// same database (bulk inserts of ready-made rows into the same table), both
// measured in this one run. Prints JSON.
//
//   usaged_bench_write [--records N] [--sqlite-dir DIR] [--mariadb-url URL] [--out FILE]
#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <iostream>

#include "core/clock.h"
#include "job/usage_run.h"
#include "parse/record_key.h"
#include "sim/cloud_writer.h"
#include "store/configuration.h"
#include "store/migrator.h"
#include "store/store.h"

namespace usaged::bench {
namespace {

using Clock = std::chrono::steady_clock;
constexpr int kRecordsPerVmDay = 4;  // running, allocated, volume, network offering
constexpr int kDays = 25;

double Seconds(Clock::duration d) { return std::chrono::duration<double>(d).count(); }

std::unique_ptr<store::Connection> FreshStore(const std::string& url) {
  auto conn = store::OpenStore(url)->Connect(/*create=*/true);
  store::Migrator(*conn).Up(SystemClock().Now());
  return conn;
}

void DropIfMariaDb(const std::string& url) {
  if (url.rfind("mariadb://", 0) != 0) return;
  auto p = store::ParseMariaDbUrl(url);
  auto admin = store::OpenMariaDbStore(p)->Connect(true);
  admin->Exec("DROP DATABASE IF EXISTS `" + p.cloud_db + "`");
  admin->Exec("DROP DATABASE IF EXISTS `" + p.usage_db + "`");
}

// (a) The raw limit: N ready-made records, inserted in transactions of the
// size usaged's units have.
double RawInsertRate(const std::string& url, int64_t n, int64_t per_transaction) {
  auto conn = FreshStore(url);
  std::vector<UsageRecord> batch;
  const Instant day0 = ParseUtc("2026-01-01 00:00:00");
  auto make = [&](int64_t i) {
    UsageRecord r;
    r.zone_id = 1;
    r.account_id = 1 + i % 1000;
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
    r.start_date = day0 + std::chrono::hours(24 * (i / per_transaction));
    r.end_date = r.start_date + std::chrono::hours(24) - std::chrono::seconds(1);
    r.usage_key = parse::NaturalKey(r);
    return r;
  };
  std::vector<std::vector<UsageRecord>> batches;
  for (int64_t i = 0; i < n; ++i) {
    if (batch.size() == static_cast<size_t>(per_transaction)) batches.push_back(std::move(batch)), batch.clear();
    batch.push_back(make(i));
  }
  if (!batch.empty()) batches.push_back(std::move(batch));
  for (auto& b : batches) {
    std::sort(b.begin(), b.end(), [](auto& x, auto& y) { return x.usage_key < y.usage_key; });
  }
  auto start = Clock::now();
  for (const auto& b : batches) {
    store::Transaction tx(*conn);
    conn->InsertUsageRecords(b);
    tx.Commit();
  }
  double seconds = Seconds(Clock::now() - start);
  return static_cast<double>(n) / seconds;
}

// (b) usaged end to end: a cloud whose history gives N records, then one
// `run --once` that copies the events, applies them, plans the windows and
// parses and commits every unit.
nlohmann::ordered_json EndToEnd(const std::string& url, int64_t n) {
  int64_t vms = std::max<int64_t>(1, n / (kRecordsPerVmDay * kDays));
  auto conn = FreshStore(url);
  store::Configuration(*conn).Set("usage.account.shards", "4", SystemClock().Now());
  sim::CloudWriter cloud(*conn);
  const Instant day0 = ParseUtc("2026-01-01 00:00:00");
  {
    store::Transaction tx(*conn);
    int64_t root = cloud.AddDomain("ROOT", std::nullopt);
    std::vector<int64_t> accounts;
    for (int a = 0; a < 1000; ++a) accounts.push_back(cloud.AddAccount(fmt::format("a{}", a), root));
    for (int64_t vm = 0; vm < vms; ++vm) {
      sim::EventSpec e;
      e.account_id = accounts[vm % accounts.size()];
      e.created = day0;
      e.resource_id = vm;
      e.resource_name = fmt::format("vm-{}", vm);
      e.offering_id = 10;
      e.template_id = 200;
      e.resource_type = "KVM";
      for (const char* type : {"VM.CREATE", "VM.START"}) {
        e.type = type;
        cloud.AddEvent(e);
      }
      sim::EventSpec v = e;
      v.type = "VOLUME.CREATE";
      v.offering_id = 3;
      v.size = 10LL << 30;
      cloud.AddEvent(v);
      sim::EventSpec o = e;
      o.type = "NETWORK.OFFERING.ASSIGN";
      o.resource_name = std::to_string(vm);
      o.offering_id = 7;
      o.size = 1;
      cloud.AddEvent(o);
    }
    tx.Commit();
  }
  ManualClock clock(day0 + std::chrono::hours(24 * kDays) + std::chrono::minutes(10));
  auto start = Clock::now();
  job::RunSummary summary = job::RunDueWindows(*conn, clock);
  double seconds = Seconds(Clock::now() - start);
  nlohmann::ordered_json out;
  out["vms"] = vms;
  out["events"] = vms * 4;
  out["records"] = summary.records;
  out["units"] = summary.units_done;
  out["seconds"] = seconds;
  out["event_seconds"] = summary.ingest_seconds;
  out["unit_seconds"] = summary.units_seconds;
  out["records_per_second"] = static_cast<double>(summary.records) / seconds;
  return out;
}

nlohmann::ordered_json Measure(const std::string& engine, const std::string& url_raw,
                               const std::string& url_e2e, int64_t n) {
  spdlog::info("{}: end to end, {} records", engine, n);
  nlohmann::ordered_json e2e = EndToEnd(url_e2e, n);
  DropIfMariaDb(url_e2e);
  int64_t records = e2e["records"].get<int64_t>();
  int64_t per_unit = std::max<int64_t>(1, records / std::max<int64_t>(1, e2e["units"].get<int64_t>()));
  spdlog::info("{}: raw inserts, {} records in transactions of {}", engine, records, per_unit);
  double raw = RawInsertRate(url_raw, records, per_unit);
  DropIfMariaDb(url_raw);
  nlohmann::ordered_json out;
  out["engine"] = engine;
  out["raw_insert_records_per_second"] = raw;
  out["end_to_end"] = e2e;
  out["ratio_end_to_end_vs_raw"] = e2e["records_per_second"].get<double>() / raw;
  return out;
}

}  // namespace
}  // namespace usaged::bench

int main(int argc, char** argv) {
  using namespace usaged;
  CLI::App app{"usaged write benchmark"};
  int64_t records = 1000000;
  std::string sqlite_dir, mariadb_url, out_file;
  app.add_option("--records", records, "Records to write")->capture_default_str();
  app.add_option("--sqlite-dir", sqlite_dir, "Scratch directory for the SQLite runs (default: a temp dir)");
  app.add_option("--mariadb-url", mariadb_url, "mariadb://USER@HOST:PORT of a scratch server (databases are created and dropped)");
  app.add_option("--out", out_file, "Also write the JSON here");
  CLI11_PARSE(app, argc, argv);
  spdlog::set_level(spdlog::level::warn);
  spdlog::set_pattern("%H:%M:%S %v");

  nlohmann::ordered_json report;
  report["benchmark"] = "write";
  report["records"] = records;
  report["results"] = nlohmann::ordered_json::array();
  namespace fs = std::filesystem;
  fs::path dir = sqlite_dir.empty() ? fs::temp_directory_path() / fmt::format("usaged-bench-{}", getpid())
                                    : fs::path(sqlite_dir);
  fs::create_directories(dir);
  report["results"].push_back(bench::Measure("sqlite", "sqlite:" + (dir / "raw").string(),
                                             "sqlite:" + (dir / "e2e").string(), records));
  if (sqlite_dir.empty()) fs::remove_all(dir);
  if (!mariadb_url.empty()) {
    std::string sep = mariadb_url.find('?') == std::string::npos ? "/?" : "&";
    report["results"].push_back(bench::Measure(
        "mariadb", mariadb_url + sep + "cloud=bench_raw_cloud&usage=bench_raw_usage",
        mariadb_url + sep + "cloud=bench_e2e_cloud&usage=bench_e2e_usage", records));
  }
  std::string text = report.dump(2);
  std::cout << text << "\n";
  if (!out_file.empty()) std::ofstream(out_file) << text << "\n";
  return 0;
}
