#include "core/hours.h"

#include <algorithm>
#include <cstdio>

namespace usaged {

int64_t ChargeableMillis(Instant created, std::optional<Instant> deleted, const Window& w,
                         HoursMode mode) {
  if (mode == HoursMode::kExact) {
    Instant from = std::max(created, w.start);
    Instant to = deleted ? std::min(*deleted, w.next) : w.next;
    return std::max<int64_t>(0, (to - from).count());
  }
  // CloudStack: end := min(deleted or E, E); start := max(created, S);
  // skip when start > E; charge end - start + 1.
  const Instant last = w.last_millisecond();
  Instant to = (!deleted || *deleted > last) ? last : *deleted;
  Instant from = std::max(created, w.start);
  if (from > last) return 0;
  return std::max<int64_t>(0, (to - from).count() + 1);
}

double HoursFromMillis(int64_t ms, HoursMode mode) {
  if (mode == HoursMode::kExact) return static_cast<double>(ms) / 3600000.0;
  // Java: `float usage = runningTime / 1000f / 60f / 60f;` - the long is
  // converted to float first, then each division rounds to float. volatile
  // keeps every step in single precision whatever the optimiser does.
  volatile float f = static_cast<float>(ms);
  f = f / 1000.0f;
  f = f / 60.0f;
  f = f / 60.0f;
  return static_cast<double>(f);
}

namespace {

// Adds one unit in the last place of a string of decimal digits, returning
// true if it carried out of the most significant digit.
bool IncrementDigits(std::string& digits) {
  for (size_t i = digits.size(); i-- > 0;) {
    if (digits[i] == '9') {
      digits[i] = '0';
    } else {
      ++digits[i];
      return false;
    }
  }
  return true;
}

}  // namespace

std::string FormatDecimal6(double value) {
  // glibc prints the exact decimal expansion of a double; 90 fraction digits
  // cover every value that does not round to zero at six decimals.
  char buf[512];
  std::snprintf(buf, sizeof buf, "%.90f", value);
  std::string s(buf);
  bool negative = !s.empty() && s[0] == '-';
  if (negative) s.erase(0, 1);
  auto dot = s.find('.');
  std::string int_part = s.substr(0, dot);
  std::string frac = s.substr(dot + 1);
  std::string kept = frac.substr(0, 6);
  std::string rest = frac.substr(6);

  bool round_up = false;
  if (!rest.empty() && rest[0] > '5') {
    round_up = true;
  } else if (!rest.empty() && rest[0] == '5') {
    bool beyond = rest.find_first_not_of('0', 1) != std::string::npos;
    char last = kept.back();
    round_up = beyond || ((last - '0') % 2 == 1);
  }
  if (round_up) {
    std::string all = int_part + kept;
    if (IncrementDigits(all)) all.insert(all.begin(), '1');
    int_part = all.substr(0, all.size() - 6);
    kept = all.substr(all.size() - 6);
  }
  while (!kept.empty() && kept.back() == '0') kept.pop_back();
  std::string out = int_part;
  if (!kept.empty()) out += "." + kept;
  if (negative && out != "0") out.insert(out.begin(), '-');
  return out;
}

}  // namespace usaged
