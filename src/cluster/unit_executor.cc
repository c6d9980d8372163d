#include "cluster/unit_executor.h"

#include <spdlog/spdlog.h>

#include <exception>
#include <thread>

namespace usaged::cluster {

std::optional<job::Unit> ListSource::Next(store::Connection&) {
  std::lock_guard lock(mu_);
  if (next_ >= units_.size()) return std::nullopt;
  return units_[next_++];
}

namespace {

// State the workers share.
struct Shared {
  std::mutex mu;
  ExecutorTotals totals;
  std::exception_ptr error;
  std::atomic<bool> abort{false};
};

void Work(UnitSource& source, store::Connection& conn, const RunUnitFn& run,
          const std::atomic<bool>* stop, Shared& shared) {
  try {
    while (!shared.abort.load()) {
      if (stop && stop->load()) {
        std::lock_guard lock(shared.mu);
        shared.totals.interrupted = true;
        return;
      }
      std::optional<job::Unit> unit = source.Next(conn);
      if (!unit) return;
      UnitOutcome outcome = run(conn, *unit);
      std::lock_guard lock(shared.mu);
      switch (outcome.kind) {
        case UnitOutcome::Kind::kDone:
          ++shared.totals.done;
          shared.totals.records += outcome.records;
          break;
        case UnitOutcome::Kind::kFailed: ++shared.totals.failed; break;
        case UnitOutcome::Kind::kLost: ++shared.totals.lost; break;
      }
    }
  } catch (...) {
    std::lock_guard lock(shared.mu);
    if (!shared.error) shared.error = std::current_exception();
    shared.abort.store(true);
  }
}

}  // namespace

ExecutorTotals RunUnits(UnitSource& source, int threads, store::Connection& conn,
                        const ConnectFn& connect, const RunUnitFn& run,
                        const std::atomic<bool>* stop) {
  Shared shared;
  if (threads <= 1 || !connect) {
    Work(source, conn, run, stop, shared);
  } else {
    // Connections are opened here, before any worker starts, so a database
    // that refuses them fails the run instead of one worker.
    std::vector<std::unique_ptr<store::Connection>> conns;
    for (int i = 0; i < threads; ++i) conns.push_back(connect());
    std::vector<std::thread> workers;
    for (auto& c : conns) {
      workers.emplace_back([&, worker_conn = c.get()] {
        Work(source, *worker_conn, run, stop, shared);
      });
    }
    for (auto& w : workers) w.join();
  }
  if (shared.error) std::rethrow_exception(shared.error);
  return shared.totals;
}

}  // namespace usaged::cluster
