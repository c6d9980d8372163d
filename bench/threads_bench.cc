// Threads and processes benchmark. One random cloud whose history yields one
// daily window of a few hundred thousand records is written to several
// identical stores; on each, the units phase of the usage job is timed:
//  - threads: `run --once` in this process with usage.threads 1 and 2
//    (SQLite, and MariaDB when --mariadb-url is given);
//  - processes (MariaDB): one and two `usaged run --once` processes with
//    usage.threads 1 each, sharing the units through claims. Their units
//    phase is timed from the moment the ingest is published (seen by polling
//    the lease row) until the last process exits.
// Every run's records are compared (a SHA-256 over all columns, ordered by the
// natural key): a speed-up that changed the output would not count.
// Prints JSON; see docs/performance.md.
//
//   usaged_bench_threads [--accounts N] [--shards S] [--sqlite-dir DIR]
//                        [--mariadb-url URL] [--usaged PATH] [--out FILE]
#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <iostream>
#include <thread>

#include "bench/bench_db.h"
#include "core/clock.h"
#include "core/crypto.h"
#include "job/usage_run.h"
#include "sim/random_cloud.h"
#include "store/configuration.h"
#include "store/migrator.h"
#include "store/store.h"

extern char** environ;

namespace usaged::bench {
namespace {

using Steady = std::chrono::steady_clock;

struct Options {
  int accounts = 24000;
  int shards = 8;
  std::string sqlite_dir = "/tmp/usaged-bench-threads";
  std::string mariadb_url;
  std::string usaged;
  std::string out;
  std::string engines = "sqlite,mariadb";
  bool processes = true;
  bool debug = false;
};

// Busy and total jiffies of the whole machine (/proc/stat), so a run can say
// how many of the cores it kept busy: usaged and the database server share them.
struct CpuSample {
  int64_t busy = 0;
  int64_t total = 0;
  static CpuSample Now() {
    std::ifstream in("/proc/stat");
    std::string cpu;
    in >> cpu;
    CpuSample s;
    for (int i = 0; i < 8; ++i) {
      int64_t v = 0;
      in >> v;
      s.total += v;
      if (i != 3 && i != 4) s.busy += v;  // idle and iowait are not busy
    }
    return s;
  }
};

// Cores busy on average between two samples.
double CoresBusy(const CpuSample& a, const CpuSample& b) {
  double cores = static_cast<double>(std::thread::hardware_concurrency());
  return b.total == a.total ? 0 : cores * (b.busy - a.busy) / double(b.total - a.total);
}

const Instant kCloudStart = ParseUtc("2026-01-01 00:00:00");
// The one daily window is due (and only it) at this time.
const std::string kNow = "2026-01-02 00:10:00";

std::string MariaDbStore(const std::string& url, const std::string& name) {
  return fmt::format("{}{}cloud=bench_threads_cloud_{}&usage=bench_threads_usage_{}", url,
                     url.find('?') == std::string::npos ? "/?" : "&", name, name);
}

// Writes the cloud into a fresh store at `url`, with `shards` units per window.
void Prepare(const std::string& url, const Options& o) {
  auto store = store::OpenStore(url);
  auto conn = store->Connect(/*create=*/true);
  for (const char* db : {"cloud", "usage"}) {
    if (conn->engine() == store::Engine::kMariaDb) {
      conn->Exec(conn->Expand(fmt::format("DROP DATABASE IF EXISTS ${{{}}}", db)));
      conn->Exec(conn->Expand(fmt::format("CREATE DATABASE ${{{}}}", db)));
    }
  }
  store::Migrator(*conn).Up(SystemClock().Now());
  store::Configuration(*conn).Set("usage.account.shards", std::to_string(o.shards),
                                  SystemClock().Now());
  sim::RandomCloudSpec spec;
  spec.seed = 5;
  spec.accounts = o.accounts;
  spec.vms_per_account = 3;
  spec.days = 1;
  spec.start = kCloudStart;
  sim::WriteRandomCloud(*conn, spec);
  // Ingest now, so that the measured runs only parse and commit units.
  ManualClock clock(ParseUtc(kNow));
  job::RunSummary ingest;
  job::IngestDue(*conn, clock, job::LoadSettings(*conn), clock.Now(), ingest);
}

// SHA-256 over every record, ordered by the natural key.
std::string RecordsDigest(store::Connection& conn, int64_t& count) {
  auto& q = conn.Prepare(
      "SELECT usage_key, zone_id, account_id, domain_id, usage_type, raw_usage, usage_display, "
      "description, usage_id, vm_instance_id, offering_id, template_id, size, virtual_size, "
      "start_date, end_date FROM ${usage}.cloud_usage ORDER BY usage_key");
  std::string all;
  count = 0;
  while (q.Next()) {
    ++count;
    for (int c = 0; c < 16; ++c) {
      if (q.IsNull(c)) {
        all += "\\N";
      } else if (c == 5) {
        all += fmt::format("{:.17g}", q.Double(c));
      } else {
        all += q.Text(c);
      }
      all += '\t';
    }
    all += '\n';
  }
  std::string digest = crypto::Sha256(all);
  std::string hex;
  for (unsigned char b : digest) hex += fmt::format("{:02x}", b);
  return hex;
}

nlohmann::ordered_json Outcome(store::Connection& conn, double seconds) {
  int64_t records = 0;
  std::string digest = RecordsDigest(conn, records);
  return {{"records", records},
          {"units_seconds", seconds},
          {"records_per_second", records / seconds},
          {"records_sha256", digest}};
}

// The units phase of `run --once` in this process with `threads` workers.
nlohmann::ordered_json MeasureThreads(const std::string& url, int threads) {
  auto store = store::OpenStore(url);
  auto conn = store->Connect();
  store::Configuration(*conn).Set("usage.threads", std::to_string(threads), SystemClock().Now());
  ManualClock clock(ParseUtc(kNow));
  job::RunControl control;
  control.connect = [&] { return store->Connect(); };
  WaitForCleanPages(*conn);
  CpuSample before = CpuSample::Now();
  job::RunSummary s = job::RunDueWindows(*conn, clock, control);
  CpuSample after = CpuSample::Now();
  auto out = Outcome(*conn, s.units_seconds);
  out["units"] = s.units_done;
  out["cores_busy"] = CoresBusy(before, after);
  nlohmann::ordered_json result{{"threads", threads}};
  result.update(out);
  return result;
}

pid_t Spawn(const std::vector<std::string>& args) {
  std::vector<char*> argv;
  for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  pid_t pid = 0;
  if (posix_spawn(&pid, argv[0], nullptr, nullptr, argv.data(), environ) != 0) {
    throw std::runtime_error("cannot start " + args[0]);
  }
  return pid;
}

int64_t PublishedToken(store::Connection& conn) {
  return conn.QueryInt("SELECT published_token FROM ${usage}.usaged_lease WHERE name = 'ingest'")
      .value_or(0);
}

// `processes` usaged nodes (usage.threads 1 each) run the due window together.
nlohmann::ordered_json MeasureProcesses(const std::string& url, int processes,
                                        const Options& o) {
  auto store = store::OpenStore(url);
  auto conn = store->Connect();
  store::Configuration(*conn).Set("usage.threads", "1", SystemClock().Now());
  const int64_t token = PublishedToken(*conn);
  WaitForCleanPages(*conn);
  std::vector<pid_t> pids;
  for (int i = 0; i < processes; ++i) {
    pids.push_back(Spawn({o.usaged, "--db", url, "--log-level", "warn", "run", "--once",
                          "--now", kNow}));
  }
  // Publishing ends the ingest; from then on the nodes only claim and run units.
  std::optional<Steady::time_point> published;
  CpuSample before;
  int running = processes;
  bool failed = false;
  while (running > 0) {
    if (!published && PublishedToken(*conn) > token) {
      published = Steady::now();
      before = CpuSample::Now();
    }
    int status = 0;
    pid_t done = waitpid(-1, &status, WNOHANG);
    if (done > 0) {
      --running;
      failed |= !WIFEXITED(status) || WEXITSTATUS(status) != 0;
    } else {
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
  }
  if (failed || !published) throw std::runtime_error("a usaged process failed");
  double seconds = std::chrono::duration<double>(Steady::now() - *published).count();
  double busy = CoresBusy(before, CpuSample::Now());
  nlohmann::ordered_json result{{"processes", processes}};
  result.update(Outcome(*conn, seconds));
  result["cores_busy"] = busy;
  return result;
}

double Ratio(const nlohmann::ordered_json& one, const nlohmann::ordered_json& two) {
  if (one["records_sha256"] != two["records_sha256"]) {
    throw std::runtime_error("the two runs wrote different records");
  }
  return one["units_seconds"].get<double>() / two["units_seconds"].get<double>();
}

nlohmann::ordered_json CompareThreads(const std::string& engine, const std::string& one,
                                      const std::string& two) {
  auto a = MeasureThreads(one, 1);
  auto b = MeasureThreads(two, 2);
  return {{"engine", engine}, {"compare", "threads"}, {"one", a}, {"two", b},
          {"speedup", Ratio(a, b)}};
}

nlohmann::ordered_json CompareProcesses(const std::string& one, const std::string& two,
                                        const Options& o) {
  auto a = MeasureProcesses(one, 1, o);
  auto b = MeasureProcesses(two, 2, o);
  return {{"engine", "mariadb"}, {"compare", "processes"}, {"one", a}, {"two", b},
          {"speedup", Ratio(a, b)}};
}

std::string DefaultUsaged(const char* argv0) {
  namespace fs = std::filesystem;
  return (fs::absolute(argv0).parent_path().parent_path() / "usaged").string();
}

}  // namespace
}  // namespace usaged::bench

int main(int argc, char** argv) {
  using namespace usaged;
  bench::Options o;
  CLI::App app{"usaged threads and processes benchmark (JSON)"};
  app.add_option("--accounts", o.accounts, "Accounts (3 VMs each) in the simulated cloud");
  app.add_option("--shards", o.shards, "usage.account.shards: units per window");
  app.add_option("--sqlite-dir", o.sqlite_dir);
  app.add_option("--mariadb-url", o.mariadb_url, "Also measure MariaDB, and processes");
  app.add_option("--usaged", o.usaged, "usaged binary for the processes runs");
  app.add_option("--out", o.out, "Also write the JSON to this file");
  app.add_option("--engines", o.engines, "sqlite, mariadb or both (comma-separated)");
  app.add_flag("!--no-processes", o.processes, "Skip the processes comparison");
  app.add_flag("--debug", o.debug, "Log at debug level (per-unit parse and commit times)");
  CLI11_PARSE(app, argc, argv);
  if (o.usaged.empty()) o.usaged = bench::DefaultUsaged(argv[0]);
  spdlog::set_level(o.debug ? spdlog::level::debug : spdlog::level::warn);
  try {
    nlohmann::ordered_json out = nlohmann::ordered_json::array();
    namespace fs = std::filesystem;
    if (o.engines.find("sqlite") != std::string::npos) {
      fs::remove_all(o.sqlite_dir);
      fs::create_directories(o.sqlite_dir + "/one");
      bench::Prepare("sqlite:" + o.sqlite_dir + "/one", o);
      fs::copy(o.sqlite_dir + "/one", o.sqlite_dir + "/two", fs::copy_options::recursive);
      out.push_back(bench::CompareThreads("sqlite", "sqlite:" + o.sqlite_dir + "/one",
                                          "sqlite:" + o.sqlite_dir + "/two"));
      std::cerr << out.back().dump() << "\n";
      fs::remove_all(o.sqlite_dir);
    }
    if (o.engines.find("mariadb") != std::string::npos) {
      if (o.mariadb_url.empty()) throw std::runtime_error("--mariadb-url is needed for MariaDB");
      std::vector<std::string> dbs;
      for (const char* name : {"t1", "t2", "p1", "p2"}) {
        if (!o.processes && name[0] == 'p') break;
        dbs.push_back(bench::MariaDbStore(o.mariadb_url, name));
        bench::Prepare(dbs.back(), o);
      }
      out.push_back(bench::CompareThreads("mariadb", dbs[0], dbs[1]));
      std::cerr << out.back().dump() << "\n";
      if (o.processes) out.push_back(bench::CompareProcesses(dbs[2], dbs[3], o));
    }
    std::cout << out.dump(2) << "\n";
    if (!o.out.empty()) std::ofstream(o.out) << out.dump(2) << "\n";
  } catch (const std::exception& e) {
    std::cerr << "usaged_bench_threads: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
