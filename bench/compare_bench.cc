// `usaged compare` benchmark: a month of a random cloud (10,000 accounts by
// default) billed the way the Java server bills it — usaged in compat mode,
// then `migrate --down`, so the database holds CloudStack's schema and
// records only — with a few windows billed twice, as the Java server's
// re-processing does. Then `compare` runs over the month, cold (the shadow
// copies and applies every event) and warm (nothing new to apply).
//
// The reference is an independent minimal reader: the month's cloud_usage
// rows read with the engine's own C API (sqlite3 / Connector/C), every column,
// no usaged code. Reported: seconds, records/s and the ratio compare / read.
// Prints JSON; see docs/performance.md.
//
//   usaged_bench_compare [--accounts N] [--vms-per-account M] [--days D]
//                        [--sqlite-dir DIR] [--mariadb-url URL] [--out FILE]
#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <mysql.h>
#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>
#include <sqlite3.h>
#include <sys/resource.h>

#include <filesystem>
#include <fstream>
#include <iostream>

#include "compare/compare.h"
#include "core/clock.h"
#include "job/usage_run.h"
#include "sim/random_cloud.h"
#include "store/configuration.h"
#include "store/mariadb/mariadb_params.h"
#include "store/migrator.h"
#include "store/store.h"

namespace usaged::bench {
namespace {

using Steady = std::chrono::steady_clock;
using Json = nlohmann::ordered_json;

struct Options {
  int accounts = 10000;
  int vms_per_account = 3;
  int days = 30;
  int twice_windows = 3;  // windows the "Java server" billed twice
  std::string sqlite_dir = "/tmp/usaged-bench-compare";
  std::string mariadb_url;
  std::string engines = "sqlite,mariadb";
  std::string out;
};

const Instant kStart = ParseUtc("2026-01-01 00:00:00");

double Since(Steady::time_point t) {
  return std::chrono::duration<double>(Steady::now() - t).count();
}

int64_t PeakRssKb() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return u.ru_maxrss;
}

// A CloudStack database the Java server billed for `days` days.
Json Prepare(store::Store& store, const Options& o) {
  auto conn = store.Connect(/*create=*/true);
  if (conn->engine() == store::Engine::kMariaDb) {
    for (const char* db : {"cloud", "usage"}) {
      conn->Exec(conn->Expand(fmt::format("DROP DATABASE IF EXISTS ${{{}}}", db)));
      conn->Exec(conn->Expand(fmt::format("CREATE DATABASE ${{{}}}", db)));
    }
    conn->Exec("DROP DATABASE IF EXISTS `" + store.UsageDatabaseName() + "_shadow`");
  }
  store::Migrator migrator(*conn);
  migrator.Up(SystemClock().Now());
  store::Configuration(*conn).Set("usage.compat.float.hours", "true", SystemClock().Now());
  sim::RandomCloudSpec spec;
  spec.seed = 11;
  spec.accounts = o.accounts;
  spec.vms_per_account = o.vms_per_account;
  spec.days = o.days;
  spec.start = kStart;
  auto t = Steady::now();
  sim::RandomCloudStats cloud = sim::WriteRandomCloud(*conn, spec);
  const double write_s = Since(t);
  t = Steady::now();
  ManualClock clock(kStart + std::chrono::hours(24 * o.days) + std::chrono::minutes(10));
  job::RunSummary billed = job::RunDueWindows(*conn, clock);
  const double bill_s = Since(t);
  // What the Java server leaves: CloudStack's tables only.
  migrator.Down(migrator.BaseVersion());
  // Its re-processing: the first windows billed once more.
  for (int k = 0; k < o.twice_windows; ++k) {
    Instant day = kStart + std::chrono::hours(24 * k);
    conn->Run("INSERT INTO ${usage}.cloud_usage (zone_id, account_id, domain_id, description, "
              "usage_display, usage_type, raw_usage, vm_instance_id, vm_name, offering_id, "
              "template_id, usage_id, type, size, network_id, start_date, end_date, "
              "virtual_size, cpu_speed, cpu_cores, memory, is_hidden, state) SELECT zone_id, "
              "account_id, domain_id, description, usage_display, usage_type, raw_usage, "
              "vm_instance_id, vm_name, offering_id, template_id, usage_id, type, size, "
              "network_id, start_date, end_date, virtual_size, cpu_speed, cpu_cores, memory, "
              "is_hidden, state FROM ${usage}.cloud_usage WHERE start_date = ?",
              day);
  }
  return Json{{"accounts", cloud.accounts},     {"events", cloud.events},
              {"records_billed", billed.records}, {"write_cloud_seconds", write_s},
              {"bill_month_seconds", bill_s}};
}

// The month's rows read with the engine's C API, every column: what reading
// the Java server's side costs at the least.
std::pair<int64_t, double> MinimalRead(const std::string& url, const Options& o) {
  const std::string end = FormatUtc(kStart + std::chrono::hours(24 * o.days));
  const std::string sql_tail = fmt::format(
      " WHERE start_date >= '{}' AND start_date < '{}'", FormatUtc(kStart), end);
  int64_t rows = 0;
  auto t = Steady::now();
  if (url.rfind("sqlite:", 0) == 0) {
    sqlite3* db = nullptr;
    std::string file = url.substr(7) + "/cloud_usage.db";
    sqlite3_open_v2(file.c_str(), &db, SQLITE_OPEN_READONLY, nullptr);
    sqlite3_stmt* st = nullptr;
    std::string sql = "SELECT * FROM cloud_usage" + sql_tail;
    sqlite3_prepare_v2(db, sql.c_str(), -1, &st, nullptr);
    while (sqlite3_step(st) == SQLITE_ROW) {
      for (int i = 0; i < sqlite3_column_count(st); ++i) sqlite3_column_text(st, i);
      ++rows;
    }
    sqlite3_finalize(st);
    sqlite3_close(db);
  } else {
    auto p = store::ParseMariaDbUrl(url);
    MYSQL* m = mysql_init(nullptr);
    mysql_real_connect(m, p.host.c_str(), p.user.c_str(), p.password.c_str(), nullptr, p.port,
                       p.socket.empty() ? nullptr : p.socket.c_str(), 0);
    std::string sql = fmt::format("SELECT * FROM `{}`.cloud_usage{}", p.usage_db, sql_tail);
    mysql_query(m, sql.c_str());
    MYSQL_RES* res = mysql_use_result(m);
    while (mysql_fetch_row(res)) ++rows;
    mysql_free_result(res);
    mysql_close(m);
  }
  return {rows, Since(t)};
}

Json CompareOnce(store::Store& store, const Options& o) {
  compare::CompareRequest request;
  request.start = kStart;
  request.end = kStart + std::chrono::hours(24 * o.days);
  ManualClock clock(request.end + std::chrono::minutes(10));
  int64_t differences = 0;
  auto t = Steady::now();
  compare::CompareReport r =
      compare::RunCompare(store, request, clock, [&](const compare::Difference&) { ++differences; });
  const double seconds = Since(t);
  int64_t java = 0, usaged = 0;
  for (const auto& x : r.types) {
    java += x.java_records;
    usaged += x.usaged_records;
  }
  return Json{{"seconds", seconds},
              {"windows", r.windows.size()},
              {"events_applied", r.ingest.events_applied},
              {"java_records", java},
              {"usaged_records", usaged},
              {"java_records_per_second", seconds > 0 ? java / seconds : 0},
              {"differences", differences},
              {"unexplained", r.unexplained},
              {"ingest_seconds", r.ingest_seconds},
              {"parse_seconds", r.parse_seconds},
              {"read_seconds", r.read_seconds},
              {"match_seconds", r.match_seconds}};
}

Json RunEngine(const std::string& url, const Options& o) {
  spdlog::info("compare bench on {}", url);
  auto store = store::OpenStore(url);
  Json out{{"engine", url.rfind("sqlite:", 0) == 0 ? "sqlite" : "mariadb"}};
  out["prepare"] = Prepare(*store, o);
  auto [rows, read_s] = MinimalRead(url, o);
  out["minimal_read"] = Json{{"rows", rows}, {"seconds", read_s}};
  out["compare_cold"] = CompareOnce(*store, o);
  out["compare_warm"] = CompareOnce(*store, o);
  for (const char* run : {"compare_cold", "compare_warm"}) {
    out[std::string(run) + "_over_minimal_read"] =
        read_s > 0 ? out[run]["seconds"].get<double>() / read_s : 0;
  }
  out["peak_rss_kb"] = PeakRssKb();
  return out;
}

}  // namespace
}  // namespace usaged::bench

int main(int argc, char** argv) {
  using namespace usaged::bench;
  Options o;
  CLI::App app("usaged compare benchmark");
  app.add_option("--accounts", o.accounts)->capture_default_str();
  app.add_option("--vms-per-account", o.vms_per_account)->capture_default_str();
  app.add_option("--days", o.days)->capture_default_str();
  app.add_option("--twice-windows", o.twice_windows)->capture_default_str();
  app.add_option("--sqlite-dir", o.sqlite_dir)->capture_default_str();
  app.add_option("--mariadb-url", o.mariadb_url);
  app.add_option("--engines", o.engines)->capture_default_str();
  app.add_option("--out", o.out);
  CLI11_PARSE(app, argc, argv);
  spdlog::set_level(spdlog::level::warn);
  Json results = Json::array();
  if (o.engines.find("sqlite") != std::string::npos) {
    std::filesystem::remove_all(o.sqlite_dir);
    results.push_back(RunEngine("sqlite:" + o.sqlite_dir, o));
  }
  if (o.engines.find("mariadb") != std::string::npos && !o.mariadb_url.empty()) {
    std::string url = o.mariadb_url + (o.mariadb_url.find('?') == std::string::npos ? "/?" : "&") +
                      "cloud=bench_compare_cloud&usage=bench_compare_usage";
    results.push_back(RunEngine(url, o));
  }
  Json doc{{"benchmark", "compare"},
           {"accounts", o.accounts},
           {"vms_per_account", o.vms_per_account},
           {"days", o.days},
           {"results", results}};
  std::cout << doc.dump(2) << "\n";
  if (!o.out.empty()) std::ofstream(o.out) << doc.dump(2) << "\n";
  return 0;
}
