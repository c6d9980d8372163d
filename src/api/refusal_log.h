#pragma once

#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>

#include "core/time.h"

namespace usaged::api {

// Logs refused API requests at warn level so that an operator sees probing
// and misconfigured clients, without letting a flood of bad requests flood
// the log: each kind of refusal may log `budget` lines per `window`; the rest
// are counted, and the first line logged in a later window says how many were
// left out. Thread-safe.
class RefusalLog {
 public:
  enum class Kind { kAuthentication, kScope };

  explicit RefusalLog(int budget = 10, Millis window = std::chrono::minutes(1))
      : budget_(budget), window_(window) {}

  // Logs (or counts) one refusal happening at `now`. `line` is the whole
  // message, already made safe with Printable; it must never hold a secret
  // or a signature.
  void Refused(Kind kind, Instant now, const std::string& line);

 private:
  struct Budget {
    Instant window_start{};
    int logged = 0;
    int64_t suppressed = 0;
  };

  const int budget_;
  const Millis window_;
  std::mutex mutex_;
  Budget budgets_[2];
};

// `text` as one log line can show it: control characters and non-ASCII bytes
// escaped (\n, \xNN), so a client cannot forge lines, and cut to `max` bytes.
std::string Printable(std::string_view text, size_t max = 100);

}  // namespace usaged::api
