#include "api/refusal_log.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

namespace usaged::api {

void RefusalLog::Refused(Kind kind, Instant now, const std::string& line) {
  int64_t left_out = 0;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    Budget& b = budgets_[kind == Kind::kAuthentication ? 0 : 1];
    if (now - b.window_start >= window_ || now < b.window_start) {
      b.window_start = now;
      b.logged = 0;
    }
    if (b.logged >= budget_) {
      ++b.suppressed;
      return;
    }
    ++b.logged;
    left_out = b.suppressed;
    b.suppressed = 0;
  }
  if (left_out > 0) {
    spdlog::warn("{} ({} more refused request(s) like it were not logged)", line, left_out);
  } else {
    spdlog::warn("{}", line);
  }
}

std::string Printable(std::string_view text, size_t max) {
  std::string out;
  for (unsigned char c : text) {
    if (out.size() >= max) {
      out += "...";
      break;
    }
    if (c == '\n') out += "\\n";
    else if (c == '\r') out += "\\r";
    else if (c == '\t') out += "\\t";
    else if (c == '\\') out += "\\\\";
    else if (c < 0x20 || c >= 0x7f) out += fmt::format("\\x{:02x}", c);
    else out += static_cast<char>(c);
  }
  return out;
}

}  // namespace usaged::api
