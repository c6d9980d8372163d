#pragma once

#include <spdlog/spdlog.h>

#include <chrono>
#include <random>
#include <string_view>
#include <thread>

#include "core/error.h"

namespace usaged::store {

// The pause before retry `attempt` (1, 2, ...): growing, and random between
// half and all of 100 ms x attempt^2, so nodes whose transactions conflicted
// (on Galera, at every commit of the same rows) do not retry in step.
inline std::chrono::milliseconds RetryPause(int attempt) {
  thread_local std::minstd_rand rng(std::random_device{}());
  const int most = 100 * attempt * attempt;
  return std::chrono::milliseconds(std::uniform_int_distribution<int>(most / 2, most)(rng));
}

// Runs `fn` (one whole transaction) again when it fails with a transient
// database error - deadlock (1213, which is also how a Galera cluster refuses
// a transaction that conflicts with one committed on another DB node, at
// COMMIT or at any statement after), lock wait timeout (1205), a busy SQLite
// file, a lost connection - up to `attempts` times with a growing pause. Any
// other error, or the last transient one, propagates. `fn` must be safe to
// repeat: it must open its own transaction, which the failure rolled back.
template <class Fn>
auto RetryTransient(std::string_view what, Fn&& fn, int attempts = 5) -> decltype(fn()) {
  for (int attempt = 1;; ++attempt) {
    try {
      return fn();
    } catch (const DbError& e) {
      if (!e.transient() || attempt >= attempts) throw;
      spdlog::warn("{}: {}; retrying ({}/{})", what, e.what(), attempt, attempts - 1);
      std::this_thread::sleep_for(RetryPause(attempt));
    }
  }
}

}  // namespace usaged::store
