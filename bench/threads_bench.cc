// Threads benchmark: the units phase of one `run --once` with usage.threads 1
// and 2 on the same data, in the same run. The cloud is written once; each
// measurement runs on its own copy (SQLite) or its own databases (MariaDB).
// Prints JSON.
//
//   usaged_bench_threads [--accounts N] [--days D] [--sqlite-dir DIR] [--mariadb-url URL]
#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include <filesystem>
#include <iostream>

#include "core/clock.h"
#include "job/usage_run.h"
#include "sim/random_cloud.h"
#include "store/configuration.h"
#include "store/migrator.h"
#include "store/store.h"

namespace usaged::bench {
namespace {

struct Options {
  int accounts = 8000;
  int days = 2;
  std::string sqlite_dir = "/tmp/usaged-bench-threads";
  std::string mariadb_url;
};

std::string WithSuffix(const std::string& url, const std::string& suffix) {
  auto p = store::ParseMariaDbUrl(url);
  return fmt::format("{}{}cloud=bench_threads_cloud_{}&usage=bench_threads_usage_{}", url,
                     url.find('?') == std::string::npos ? "/?" : "&", suffix, suffix);
}

// Writes the cloud into a fresh store at `url`.
void Prepare(const std::string& url, const Options& o) {
  auto store = store::OpenStore(url);
  auto conn = store->Connect(/*create=*/true);
  store::Migrator(*conn).Up(SystemClock().Now());
  sim::RandomCloudSpec spec;
  spec.seed = 5;
  spec.accounts = o.accounts;
  spec.vms_per_account = 3;
  spec.days = o.days;
  spec.start = ParseUtc("2026-01-01 00:00:00");
  sim::WriteRandomCloud(*conn, spec);
}

nlohmann::ordered_json Measure(const std::string& url, int threads, const Options& o) {
  auto store = store::OpenStore(url);
  auto conn = store->Connect();
  store::Configuration(*conn).Set("usage.threads", std::to_string(threads), SystemClock().Now());
  ManualClock clock(ParseUtc("2026-01-01 00:10:00") + std::chrono::hours(24 * o.days));
  job::RunControl control;
  control.connect = [&] { return store->Connect(); };
  job::RunSummary s = job::RunDueWindows(*conn, clock, control);
  return {{"threads", threads},
          {"records", s.records},
          {"units", s.units_done},
          {"units_seconds", s.units_seconds},
          {"records_per_second", s.records / s.units_seconds}};
}

nlohmann::ordered_json Compare(const std::string& engine, const std::string& one,
                               const std::string& two, const Options& o) {
  auto a = Measure(one, 1, o);
  auto b = Measure(two, 2, o);
  return {{"engine", engine},
          {"one_thread", a},
          {"two_threads", b},
          {"speedup", a["units_seconds"].get<double>() / b["units_seconds"].get<double>()}};
}

}  // namespace
}  // namespace usaged::bench

int main(int argc, char** argv) {
  using namespace usaged;
  bench::Options o;
  CLI::App app{"usaged threads benchmark (JSON on stdout)"};
  app.add_option("--accounts", o.accounts);
  app.add_option("--days", o.days);
  app.add_option("--sqlite-dir", o.sqlite_dir);
  app.add_option("--mariadb-url", o.mariadb_url);
  CLI11_PARSE(app, argc, argv);
  spdlog::set_level(spdlog::level::warn);
  nlohmann::ordered_json out = nlohmann::ordered_json::array();
  namespace fs = std::filesystem;
  fs::remove_all(o.sqlite_dir);
  fs::create_directories(o.sqlite_dir + "/one");
  bench::Prepare("sqlite:" + o.sqlite_dir + "/one", o);
  fs::copy(o.sqlite_dir + "/one", o.sqlite_dir + "/two", fs::copy_options::recursive);
  out.push_back(bench::Compare("sqlite", "sqlite:" + o.sqlite_dir + "/one",
                               "sqlite:" + o.sqlite_dir + "/two", o));
  if (!o.mariadb_url.empty()) {
    std::string one = bench::WithSuffix(o.mariadb_url, "one");
    std::string two = bench::WithSuffix(o.mariadb_url, "two");
    bench::Prepare(one, o);
    bench::Prepare(two, o);
    out.push_back(bench::Compare("mariadb", one, two, o));
  }
  std::cout << out.dump(2) << "\n";
  return 0;
}
