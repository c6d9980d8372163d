#include "parse/readable_size.h"

#include <fmt/format.h>

namespace usaged::parse {

std::string JavaFixed(double value, int decimals) {
  // fmt's "{}" is the shortest round-trip form, which is what Java's
  // Formatter rounds from.
  std::string text = fmt::format("{}", value);
  bool negative = !text.empty() && text[0] == '-';
  if (negative) text.erase(0, 1);
  auto dot = text.find('.');
  std::string int_part = dot == std::string::npos ? text : text.substr(0, dot);
  std::string frac = dot == std::string::npos ? "" : text.substr(dot + 1);
  frac.resize(static_cast<size_t>(decimals) + 1, '0');
  bool round_up = frac.back() >= '5';
  frac.pop_back();
  std::string digits = int_part + frac;
  if (round_up) {
    size_t i = digits.size();
    while (i > 0 && digits[i - 1] == '9') digits[--i] = '0';
    if (i == 0) {
      digits.insert(digits.begin(), '1');
    } else {
      ++digits[i - 1];
    }
  }
  std::string out = digits.substr(0, digits.size() - static_cast<size_t>(decimals));
  if (decimals > 0) out += "." + digits.substr(digits.size() - static_cast<size_t>(decimals));
  return (negative ? "-" : "") + out;
}

std::string JavaHumanReadableSize(int64_t bytes) {
  constexpr int64_t kKb = 1024, kMb = kKb * 1024, kGb = kMb * 1024, kTb = kGb * 1024;
  std::string readable;
  // Java: (float) bytes / (float) UNIT, printed with %.2f (%.4f for TB).
  auto scaled = [bytes](int64_t unit) {
    volatile float f = static_cast<float>(bytes);
    f = f / static_cast<float>(unit);
    return static_cast<double>(f);
  };
  if (bytes >= 0 && bytes < kKb) {
    readable = fmt::format("{} bytes", bytes);
  } else if (bytes < kMb) {
    readable = JavaFixed(scaled(kKb), 2) + " KB";
  } else if (bytes < kGb) {
    readable = JavaFixed(scaled(kMb), 2) + " MB";
  } else if (bytes < kTb) {
    readable = JavaFixed(scaled(kGb), 2) + " GB";
  } else {
    readable = JavaFixed(scaled(kTb), 4) + " TB";
  }
  // toHumanReadableSize puts the readable part first, then the count.
  return fmt::format("({}) {}", readable, bytes);
}

}  // namespace usaged::parse
