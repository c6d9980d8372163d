#include <fmt/format.h>
#include <signal.h>
#include <spdlog/spdlog.h>

#include <atomic>
#include <iostream>

#include "alert/delivery.h"
#include "cli/app.h"
#include "cli/service_notify.h"
#include "cluster/cluster_run.h"
#include "core/window.h"
#include "job/scheduler.h"
#include "job/usage_run.h"
#include "job/window_ledger.h"

namespace usaged::cli {
namespace {

std::atomic<bool> g_stop{false};

void OnStopSignal(int) { g_stop.store(true); }

// A clock that starts at --now and then moves with real time (for `run`
// without --once under a simulated start time).
class OffsetClock final : public Clock {
 public:
  explicit OffsetClock(Instant start) : offset_(start - SystemClock().Now()) {}
  Instant Now() const override { return SystemClock().Now() + offset_; }

 private:
  Millis offset_;
};

struct RunOptions {
  bool once = false;
  NowOption now;
  int heartbeat_seconds = 60;
  bool serve = false;
  ServeOptions api;
};

void PrintSummary(const job::RunSummary& s) {
  std::cout << fmt::format(
      "events copied {}, applied {}, quarantined {}, late {}; windows planned {}; units done {}, "
      "failed {}; records {}; checkpoint {}\n",
      s.events_copied, s.events_applied, s.events_quarantined, s.late_events, s.windows_planned,
      s.units_done, s.units_failed, s.records,
      s.checkpoint ? FormatUtc(*s.checkpoint) : std::string("none"));
}

// The scheduled job bills only at its next exec time: an operator starting
// `run` on a store far behind the clock (a stopped server, a migration from
// the Java server that stopped weeks ago) is told how far behind it is and
// how to catch up now. One due window is the normal state before a run.
void WarnIfBehind(store::Connection& conn, const Clock& clock) {
  try {
    UsageSettings settings = job::LoadSettings(conn);
    WindowCalendar calendar(settings);
    std::optional<Instant> billed_until = job::WindowLedger(conn).Checkpoint();
    if (!billed_until) billed_until = job::FindOrigin(conn, calendar);
    if (!billed_until) return;  // nothing to bill yet
    const Instant now = clock.Now();
    const Instant due_before = now - std::chrono::seconds(settings.settle_seconds);
    constexpr int64_t kMostCounted = 100000;  // bounds the count for tiny windows
    int64_t windows = 0;
    for (Instant t = *billed_until; windows < kMostCounted; ++windows) {
      t = calendar.BoundaryAfter(t);
      if (t > due_before) break;
    }
    if (windows <= 1) return;
    spdlog::warn("billing is {}{} aggregation windows ({} min) behind: billed up to {}, the clock "
                 "is at {}. The scheduled run at {} bills them all; to catch up now, run "
                 "`usaged run --once` (on SQLite, stop this process first)",
                 windows >= kMostCounted ? "at least " : "", windows,
                 settings.aggregation_range_minutes, FormatUtc(*billed_until), FormatUtc(now),
                 FormatUtc(job::NextRunTime(settings, now)));
  } catch (const std::exception& e) {
    // The scheduled run reports a database or settings problem itself.
    spdlog::debug("could not tell how far billing is behind: {}", e.what());
  }
}

}  // namespace

void RegisterRun(CLI::App& app, const GlobalOptions& options, Action& action) {
  auto opts = std::make_shared<RunOptions>();
  auto* cmd = app.add_subcommand(
      "run", "Run the usage job: with --once, process every due window and exit; without, run "
             "on the configured schedule until SIGTERM");
  cmd->add_flag("--once", opts->once, "Process every due window now, then exit");
  AddNowOption(*cmd, opts->now,
               "Take this UTC time as the current time (\"YYYY-MM-DD HH:MM:SS\")");
  cmd->add_option("--heartbeat-seconds", opts->heartbeat_seconds,
                  "Without --once: how often the usage_job heartbeat is written and runs "
                  "requested through CloudStack's generateUsageRecords are looked for")
      ->check(CLI::Range(1, 3600))
      ->capture_default_str();
  auto* serve = cmd->add_flag("--serve", opts->serve,
                              "Also serve the API (as `usaged serve`) while the scheduler runs");
  serve->excludes("--once");
  AddServeOptions(*cmd, opts->api);
  cmd->callback([&options, &action, opts] {
    action = [&options, opts] {
      // Checked before the store is opened or a node joins.
      const std::optional<Instant> start = ParseNow(opts->now);
      auto db = OpenReady(options);
      // The embedded store admits one process; on MariaDB every process is a
      // node that shares the work through claims and leases.
      std::unique_ptr<store::JobLock> lock;
      std::unique_ptr<cluster::Node> node;
      if (db.store->engine() == store::Engine::kSqlite) {
        lock = db.store->LockJobs();
      } else {
        node = cluster::Node::Join(*db.store, job::LoadSettings(*db.conn).lease_seconds);
      }
      store::Store& store = *db.store;
      auto pass = [&](const Clock& clock, job::RunControl control) {
        control.connect = [&store] { return store.Connect(); };
        if (node) return cluster::RunNodePass(*node, *db.conn, clock, control);
        return job::RunDueWindows(*db.conn, clock, control);
      };
      if (opts->once) {
        std::unique_ptr<Clock> clock = std::make_unique<SystemClock>();
        if (start) clock = std::make_unique<ManualClock>(*start);
        job::RunSummary summary = pass(*clock, job::RunControl{});
        alert::DeliverAlertsAfterJob(*db.conn, *clock);
        PrintSummary(summary);
        return summary.ok() ? kExitOk : kExitJobFailed;
      }
      std::unique_ptr<Clock> clock = std::make_unique<SystemClock>();
      if (start) clock = std::make_unique<OffsetClock>(*start);
      signal(SIGTERM, OnStopSignal);
      signal(SIGINT, OnStopSignal);
      WarnIfBehind(*db.conn, *clock);
      // This process holds the job lock; API-started jobs share it through
      // the process's job mutex instead of taking it again.
      std::unique_ptr<ApiService> api;
      if (opts->serve) api = StartApi(*db.store, *clock, opts->api, /*lock_store_for_jobs=*/false);
      ServiceNotifier notifier;
      notifier.Ready(opts->serve ? "scheduling usage jobs and serving the API"
                                 : "scheduling usage jobs");
      job::SchedulerOptions scheduler;
      scheduler.heartbeat_every = std::chrono::seconds(opts->heartbeat_seconds);
      scheduler.pass = [&](const job::RunControl& control) { return pass(*clock, control); };
      scheduler.on_activity = [&notifier](bool running) { notifier.Running(running); };
      job::RunScheduled(*db.conn, *clock, g_stop, scheduler);
      notifier.Stopping();
      spdlog::info("usaged run stopping");
      return kExitOk;
    };
  });
}

}  // namespace usaged::cli
