#pragma once

#include <atomic>

#include "core/time.h"

namespace usaged {

// Source of "now". Everything that depends on the current time takes a Clock,
// so tests and `--now` can replay months in seconds.
class Clock {
 public:
  virtual ~Clock() = default;
  virtual Instant Now() const = 0;
};

class SystemClock final : public Clock {
 public:
  Instant Now() const override {
    return std::chrono::time_point_cast<Millis>(std::chrono::system_clock::now());
  }
};

// A clock that says what it is told. Thread-safe.
class ManualClock final : public Clock {
 public:
  explicit ManualClock(Instant start) : now_(ToEpochMillis(start)) {}
  Instant Now() const override { return FromEpochMillis(now_.load()); }
  void Set(Instant t) { now_.store(ToEpochMillis(t)); }
  void Advance(Millis d) { now_.fetch_add(d.count()); }

 private:
  std::atomic<int64_t> now_;
};

}  // namespace usaged
