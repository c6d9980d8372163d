// Parse benchmark: the time to parse one hourly window must not grow with the
// helper tables' history. Two stores hold the same live resources (VMs with a
// volume, a network offering, an IP, a volume snapshot, a VM snapshot, a
// backup, a security group, a load balancer, a port forwarding rule, a VPN
// user, a network and a VPC); one has a day of history behind them, the other
// a year (a daily stop/start per VM and a closed interval per day in every
// helper table). Prints JSON with both times and their ratio.
//
//   usaged_bench_parse_history [--vms N] [--mariadb-url URL] [--repeat K]
#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <iostream>
#include <iterator>

#include "core/clock.h"
#include "parse/parser.h"
#include "store/account_directory.h"
#include "store/migrator.h"
#include "store/store.h"

namespace usaged::bench {
namespace {

using SteadyClock = std::chrono::steady_clock;
const Instant kNow = ParseUtc("2026-06-30 12:00:00");

std::unique_ptr<store::Connection> FreshStore(const std::string& url) {
  auto conn = store::OpenStore(url)->Connect(/*create=*/true);
  store::Migrator(*conn).Up(SystemClock().Now());
  return conn;
}

// A VM's storage helper rows: a snapshot of its volume, its VM snapshot
// chain and its backup, [from, to) (to = nullopt: live).
void WriteStorageRows(store::Connection& conn, int vm, int64_t account, Instant from,
                      std::optional<Instant> to) {
  conn.Run("INSERT INTO ${usage}.usage_storage (entity_id, zone_id, account_id, domain_id, "
           "storage_type, size, created, deleted) VALUES (?, 1, ?, 1, 3, 1024, ?, ?)",
           vm, account, from, to);
  conn.Run("INSERT INTO ${usage}.usage_vmsnapshot (volume_id, zone_id, account_id, domain_id, "
           "vm_id, size, created, processed, vm_snapshot_id) VALUES (?, 1, ?, 1, ?, 1024, ?, ?, 1)",
           vm, account, vm, from, to);
  conn.Run("INSERT INTO ${usage}.usage_backup (zone_id, account_id, domain_id, vm_id, "
           "backup_offering_id, size, protected_size, created, removed) "
           "VALUES (1, ?, 1, ?, 5, 1024, 4096, ?, ?)",
           account, vm, from, to);
}

// Statistics samples (traffic, disk I/O, a bucket size) stamped at `at`.
void WriteSamples(store::Connection& conn, int64_t account, int vm, Instant at) {
  conn.Run("INSERT INTO ${usage}.usage_network (account_id, zone_id, host_id, host_type, "
           "network_id, bytes_sent, bytes_received, event_time_millis) "
           "VALUES (?, 1, ?, 'DomainRouter', 204, 100, 200, ?)",
           account, vm, ToEpochMillis(at));
  conn.Run("INSERT INTO ${usage}.usage_vm_disk (account_id, zone_id, vm_id, volume_id, io_read, "
           "bytes_read, event_time_millis) VALUES (?, 1, ?, ?, 10, 4096, ?)",
           account, vm, vm, ToEpochMillis(at));
  conn.Run("INSERT INTO ${usage}.usaged_bucket_usage (account_id, bucket_id, size, "
           "event_time_millis) VALUES (?, ?, 1024, ?)",
           account, vm, ToEpochMillis(at));
}

// The network-rule helper tables (types 10, 11, 12, 14, 30, 31): columns
// other than the times, and their values with the account and the resource
// bound in that order.
struct RuleTable {
  const char* table;
  const char* start;
  const char* end;
  const char* columns;
  const char* values;
};
constexpr RuleTable kRuleTables[] = {
    {"usage_security_group", "created", "deleted",
     "zone_id, account_id, domain_id, vm_instance_id, security_group_id", "1, ?, 1, ?, 7"},
    {"usage_load_balancer_policy", "created", "deleted", "zone_id, account_id, domain_id, lb_id",
     "1, ?, 1, ?"},
    {"usage_port_forwarding", "created", "deleted", "zone_id, account_id, domain_id, pf_id",
     "1, ?, 1, ?"},
    {"usage_vpn_user", "created", "deleted", "zone_id, account_id, domain_id, user_id, user_name",
     "1, ?, 1, ?, 'u'"},
    {"usage_networks", "created", "removed",
     "zone_id, account_id, domain_id, network_id, network_offering_id, state",
     "1, ?, 1, ?, 40, 'Implemented'"},
    {"usage_vpc", "created", "removed", "zone_id, account_id, domain_id, vpc_id, state",
     "1, ?, 1, ?, 'Enabled'"},
};

// One resource per VM in each network-rule table, with the same history.
void WriteRuleHistory(store::Connection& conn, int64_t account, int vm, int history_days,
                      Instant live_since) {
  for (const RuleTable& t : kRuleTables) {
    for (int d = history_days; d >= 1; --d) {
      Instant from = live_since - std::chrono::hours(24 * d);
      conn.Run(fmt::format("INSERT INTO ${{usage}}.{} ({}, {}, {}) VALUES ({}, ?, ?)", t.table,
                           t.columns, t.start, t.end, t.values),
               account, vm, from, from + std::chrono::hours(20));
    }
    conn.Run(fmt::format("INSERT INTO ${{usage}}.{} ({}, {}) VALUES ({}, ?)", t.table, t.columns,
                         t.start, t.values),
             account, vm, live_since);
  }
}

// Writes helper rows directly: parsing only reads the helper tables.
void WriteHistory(store::Connection& conn, int vms, int history_days) {
  store::Transaction tx(conn);
  for (int a = 1; a <= 100; ++a) {
    conn.Run("INSERT INTO ${usage}.account (id, account_name, type, domain_id) VALUES (?, ?, 0, 1)",
             a, fmt::format("a{}", a));
  }
  const Instant live_since = kNow - std::chrono::hours(6);
  for (int vm = 1; vm <= vms; ++vm) {
    int64_t account = 1 + vm % 100;
    // One closed interval per past day, then the live one.
    for (int d = history_days; d >= 1; --d) {
      Instant from = live_since - std::chrono::hours(24 * d);
      Instant to = from + std::chrono::hours(20);
      for (int type : {1, 2}) {
        conn.Run("INSERT INTO ${usage}.usage_vm_instance (usage_type, zone_id, account_id, "
                 "vm_instance_id, vm_name, service_offering_id, template_id, start_date, "
                 "end_date) VALUES (?, 1, ?, ?, 'vm', 10, 200, ?, ?)",
                 type, account, vm, from, to);
      }
      conn.Run("INSERT INTO ${usage}.usage_volume (volume_id, zone_id, account_id, domain_id, "
               "size, created, deleted) VALUES (?, 1, ?, 1, 1024, ?, ?)",
               vm, account, from, to);
      conn.Run("INSERT INTO ${usage}.usage_network_offering (zone_id, account_id, domain_id, "
               "vm_instance_id, network_offering_id, is_default, created, deleted, nic_id) "
               "VALUES (1, ?, 1, ?, 7, 1, ?, ?, ?)",
               account, vm, from, to, vm);
      conn.Run("INSERT INTO ${usage}.usage_ip_address (ip_id, account_id, domain_id, zone_id, "
               "public_ip_address, is_source_nat, is_system, assigned, released) "
               "VALUES (?, ?, 1, 1, '10.0.0.1', 0, 0, ?, ?)",
               vm, account, from, to);
      WriteStorageRows(conn, vm, account, from, to);
      WriteSamples(conn, account, vm, from);
    }
    WriteSamples(conn, account, vm, kNow - std::chrono::milliseconds(1));
    for (int type : {1, 2}) {
      conn.Run("INSERT INTO ${usage}.usage_vm_instance (usage_type, zone_id, account_id, "
               "vm_instance_id, vm_name, service_offering_id, template_id, start_date) "
               "VALUES (?, 1, ?, ?, 'vm', 10, 200, ?)",
               type, account, vm, live_since);
    }
    conn.Run("INSERT INTO ${usage}.usage_volume (volume_id, zone_id, account_id, domain_id, size, "
             "created) VALUES (?, 1, ?, 1, 1024, ?)",
             vm, account, live_since);
    conn.Run("INSERT INTO ${usage}.usage_network_offering (zone_id, account_id, domain_id, "
             "vm_instance_id, network_offering_id, is_default, created, nic_id) "
             "VALUES (1, ?, 1, ?, 7, 1, ?, ?)",
             account, vm, live_since, vm);
    conn.Run("INSERT INTO ${usage}.usage_ip_address (ip_id, account_id, domain_id, zone_id, "
             "public_ip_address, is_source_nat, is_system, assigned) "
             "VALUES (?, ?, 1, 1, '10.0.0.1', 0, 0, ?)",
             vm, account, live_since);
    WriteStorageRows(conn, vm, account, live_since, std::nullopt);
    WriteRuleHistory(conn, account, vm, history_days, live_since);
  }
  tx.Commit();
  // Fresh statistics, as a long-running server would have.
  conn.Exec(conn.engine() == store::Engine::kSqlite ? "ANALYZE" : "SELECT 1");
  if (conn.engine() == store::Engine::kMariaDb) {
    for (const char* t : {"usage_vm_instance", "usage_volume", "usage_network_offering",
                          "usage_ip_address", "usage_storage", "usage_vmsnapshot",
                          "usage_backup", "usage_network", "usage_vm_disk",
                          "usaged_bucket_usage"}) {
      conn.Exec(fmt::format("ANALYZE TABLE ${{usage}}.{}", t));
    }
    for (const RuleTable& t : kRuleTables) {
      conn.Exec(fmt::format("ANALYZE TABLE ${{usage}}.{}", t.table));
    }
  }
}

// Median seconds to parse the last hour (every family, one shard of one).
double ParseSeconds(store::Connection& conn, int repeat, size_t& records) {
  auto accounts = store::AccountDirectory::Load(conn);
  parse::ParseScope scope;
  scope.window = Window{kNow - std::chrono::hours(1), kNow};
  scope.directory = &accounts;
  std::vector<double> times;
  for (int i = 0; i < repeat; ++i) {
    std::vector<UsageRecord> out;
    auto start = SteadyClock::now();
    for (const auto& p : parse::AllParsers()) p->Parse(conn, scope, out);
    times.push_back(std::chrono::duration<double>(SteadyClock::now() - start).count());
    records = out.size();
  }
  std::sort(times.begin(), times.end());
  return times[times.size() / 2];
}

nlohmann::ordered_json Measure(const std::string& engine, const std::string& url_short,
                               const std::string& url_long, int vms, int repeat) {
  auto short_conn = FreshStore(url_short);
  auto long_conn = FreshStore(url_long);
  WriteHistory(*short_conn, vms, 1);
  WriteHistory(*long_conn, vms, 365);
  size_t records_short = 0, records_long = 0;
  // Interleave to share the machine's noise.
  double t_short = ParseSeconds(*short_conn, repeat, records_short);
  double t_long = ParseSeconds(*long_conn, repeat, records_long);
  double t_short2 = ParseSeconds(*short_conn, repeat, records_short);
  t_short = std::min(t_short, t_short2);
  nlohmann::ordered_json out;
  out["engine"] = engine;
  const int per_vm = 10 + static_cast<int>(std::size(kRuleTables));
  out["live_resources"] = vms * per_vm;
  out["records_per_window"] = records_long;
  out["helper_rows_1_day"] = vms * (per_vm + 1) * 2;
  out["helper_rows_365_days"] = vms * (per_vm + 1) * 366;
  out["parse_seconds_1_day"] = t_short;
  out["parse_seconds_365_days"] = t_long;
  out["ratio_365_vs_1"] = t_long / t_short;
  out["same_records"] = records_short == records_long;
  return out;
}

}  // namespace
}  // namespace usaged::bench

int main(int argc, char** argv) {
  using namespace usaged;
  CLI::App app{"usaged parse-history benchmark"};
  int vms = 2000, repeat = 7;
  std::string mariadb_url;
  app.add_option("--vms", vms,
                 "Live VMs (each with a volume, a network offering, an IP and storage)")
      ->capture_default_str();
  app.add_option("--repeat", repeat, "Parses per measurement (median)")->capture_default_str();
  app.add_option("--mariadb-url", mariadb_url, "mariadb://USER@HOST:PORT of a scratch server");
  CLI11_PARSE(app, argc, argv);
  spdlog::set_level(spdlog::level::warn);

  nlohmann::ordered_json report;
  report["benchmark"] = "parse_history";
  report["results"] = nlohmann::ordered_json::array();
  namespace fs = std::filesystem;
  fs::path dir = fs::temp_directory_path() / fmt::format("usaged-parse-bench-{}", getpid());
  report["results"].push_back(bench::Measure("sqlite", "sqlite:" + (dir / "short").string(),
                                             "sqlite:" + (dir / "long").string(), vms, repeat));
  fs::remove_all(dir);
  if (!mariadb_url.empty()) {
    std::string sep = mariadb_url.find('?') == std::string::npos ? "/?" : "&";
    auto url = [&](const char* name) {
      return mariadb_url + sep + fmt::format("cloud=bench_{0}_c&usage=bench_{0}_u", name);
    };
    // Scratch databases go before (a run that was killed leaves them) and after.
    auto drop_scratch = [&] {
      for (const char* name : {"short", "long"}) {
        auto p = store::ParseMariaDbUrl(url(name));
        auto admin = store::OpenMariaDbStore(p)->Connect(true);
        admin->Exec("DROP DATABASE IF EXISTS `" + p.cloud_db + "`");
        admin->Exec("DROP DATABASE IF EXISTS `" + p.usage_db + "`");
      }
    };
    drop_scratch();
    report["results"].push_back(bench::Measure("mariadb", url("short"), url("long"), vms, repeat));
    drop_scratch();
  }
  std::cout << report.dump(2) << "\n";
  return 0;
}
