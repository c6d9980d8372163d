#pragma once

#include <spdlog/spdlog.h>

#include <chrono>
#include <string_view>
#include <thread>

#include "core/error.h"

namespace usaged::store {

// Runs `fn` (one whole transaction) again when it fails with a transient
// database error - deadlock (1213), lock wait timeout (1205), a busy SQLite
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
      std::this_thread::sleep_for(std::chrono::milliseconds(100 * attempt * attempt));
    }
  }
}

}  // namespace usaged::store
