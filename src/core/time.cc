#include "core/time.h"

#include <date/date.h>
#include <fmt/format.h>

#include "core/error.h"

namespace usaged {
namespace {

bool ReadDigits(std::string_view s, size_t pos, size_t n, int& out) {
  if (pos + n > s.size()) return false;
  int v = 0;
  for (size_t i = pos; i < pos + n; ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    v = v * 10 + (s[i] - '0');
  }
  out = v;
  return true;
}

}  // namespace

std::optional<Instant> TryParseUtc(std::string_view s) {
  int y, mo, d, h = 0, mi = 0, se = 0;
  if (s.size() != 10 && s.size() != 19) return std::nullopt;
  if (!ReadDigits(s, 0, 4, y) || s[4] != '-' || !ReadDigits(s, 5, 2, mo) || s[7] != '-' ||
      !ReadDigits(s, 8, 2, d)) {
    return std::nullopt;
  }
  if (s.size() == 19) {
    if ((s[10] != ' ' && s[10] != 'T') || !ReadDigits(s, 11, 2, h) || s[13] != ':' ||
        !ReadDigits(s, 14, 2, mi) || s[16] != ':' || !ReadDigits(s, 17, 2, se)) {
      return std::nullopt;
    }
  }
  date::year_month_day ymd{date::year{y}, date::month{static_cast<unsigned>(mo)},
                           date::day{static_cast<unsigned>(d)}};
  if (!ymd.ok() || y < 1970 || h > 23 || mi > 59 || se > 59) return std::nullopt;
  return Instant(date::sys_days(ymd).time_since_epoch() + std::chrono::hours(h) +
                 std::chrono::minutes(mi) + std::chrono::seconds(se));
}

Instant ParseUtc(std::string_view text, std::string_view what) {
  auto parsed = TryParseUtc(text);
  if (!parsed) {
    throw InputError(fmt::format("invalid {} '{}': expected a UTC time as \"YYYY-MM-DD HH:MM:SS\"",
                                 what, text));
  }
  return *parsed;
}

std::string FormatUtc(Instant t) {
  return date::format("%Y-%m-%d %H:%M:%S", std::chrono::floor<std::chrono::seconds>(t));
}

std::string FormatUtcMillis(Instant t) { return date::format("%Y-%m-%d %H:%M:%S", t); }

Instant FloorToSecond(Instant t) { return std::chrono::floor<std::chrono::seconds>(t); }

}  // namespace usaged
