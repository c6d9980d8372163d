#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <vector>

#include "job/window_ledger.h"
#include "store/connection.h"

namespace usaged::cluster {

// Where the workers of one process get their units. Thread-safe.
class UnitSource {
 public:
  virtual ~UnitSource() = default;
  // The next unit for the worker that owns `conn`, or nullopt when there is
  // none left for this process. May wait (for other nodes).
  virtual std::optional<job::Unit> Next(store::Connection& conn) = 0;
};

// Hands out a fixed list of units in order: for a process that owns every
// unit (the embedded store, or a single-process run).
class ListSource final : public UnitSource {
 public:
  explicit ListSource(std::vector<job::Unit> units) : units_(std::move(units)) {}
  std::optional<job::Unit> Next(store::Connection& conn) override;

 private:
  std::mutex mu_;
  std::vector<job::Unit> units_;
  size_t next_ = 0;
};

// What became of one unit.
struct UnitOutcome {
  enum class Kind { kDone, kFailed, kLost };  // kLost: another node holds it now
  Kind kind = Kind::kDone;
  int64_t records = 0;
};

struct ExecutorTotals {
  int64_t done = 0;
  int64_t failed = 0;
  int64_t lost = 0;
  int64_t records = 0;
  bool interrupted = false;  // `stop` was set before the source ran dry
};

using ConnectFn = std::function<std::unique_ptr<store::Connection>()>;
using RunUnitFn = std::function<UnitOutcome(store::Connection&, const job::Unit&)>;

// Runs units from `source` on `threads` workers until the source is empty or
// `stop` is set (the unit in progress is finished). With one thread, units run
// on `conn`; otherwise each worker opens its own connection with `connect`
// (a Connection is not thread-safe). If a worker throws (the database is
// gone), the others stop after their current unit and the error is rethrown.
ExecutorTotals RunUnits(UnitSource& source, int threads, store::Connection& conn,
                        const ConnectFn& connect, const RunUnitFn& run,
                        const std::atomic<bool>* stop);

}  // namespace usaged::cluster
