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

namespace {

// date::format goes through an ostringstream and the locale; this runs for
// every stored time, so it formats the fields directly.
void FormatFields(Instant t, char* out) {
  auto secs = std::chrono::floor<std::chrono::seconds>(t);
  auto day = std::chrono::floor<date::days>(secs);
  date::year_month_day ymd(day);
  int64_t s = (secs - day).count();
  auto put = [&](int pos, int64_t value, int width) {
    for (int i = width - 1; i >= 0; --i, value /= 10) out[pos + i] = static_cast<char>('0' + value % 10);
  };
  put(0, static_cast<int>(ymd.year()), 4);
  out[4] = '-';
  put(5, static_cast<unsigned>(ymd.month()), 2);
  out[7] = '-';
  put(8, static_cast<unsigned>(ymd.day()), 2);
  out[10] = ' ';
  put(11, s / 3600, 2);
  out[13] = ':';
  put(14, s / 60 % 60, 2);
  out[16] = ':';
  put(17, s % 60, 2);
}

}  // namespace

std::string FormatUtc(Instant t) {
  std::string out(19, '0');
  FormatFields(t, out.data());
  return out;
}

std::string FormatUtcMillis(Instant t) {
  std::string out(23, '0');
  FormatFields(t, out.data());
  int64_t ms = (t - std::chrono::floor<std::chrono::seconds>(t)).count();
  out[19] = '.';
  out[20] = static_cast<char>('0' + ms / 100);
  out[21] = static_cast<char>('0' + ms / 10 % 10);
  out[22] = static_cast<char>('0' + ms % 10);
  return out;
}

Instant FloorToSecond(Instant t) { return std::chrono::floor<std::chrono::seconds>(t); }

}  // namespace usaged
