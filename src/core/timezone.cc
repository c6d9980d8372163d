#include "core/timezone.h"

#include <date/tz.h>
#include <fmt/format.h>

#include <array>
#include <utility>

#include "core/error.h"

namespace usaged {
namespace {

// java.util.TimeZone's legacy three-letter IDs. EST, MST and HST are fixed
// offsets there; the others are aliases of region zones.
struct ShortId {
  const char* id;
  const char* zone;
};
constexpr std::array<ShortId, 26> kJavaShortIds = {{
    {"ACT", "Australia/Darwin"},   {"AET", "Australia/Sydney"},
    {"AGT", "America/Argentina/Buenos_Aires"}, {"ART", "Africa/Cairo"},
    {"AST", "America/Anchorage"},  {"BET", "America/Sao_Paulo"},
    {"BST", "Asia/Dhaka"},         {"CAT", "Africa/Harare"},
    {"CNT", "America/St_Johns"},   {"CST", "America/Chicago"},
    {"CTT", "Asia/Shanghai"},      {"EAT", "Africa/Addis_Ababa"},
    {"ECT", "Europe/Paris"},       {"IET", "America/Indiana/Indianapolis"},
    {"IST", "Asia/Kolkata"},       {"JST", "Asia/Tokyo"},
    {"MIT", "Pacific/Apia"},       {"NET", "Asia/Yerevan"},
    {"NST", "Pacific/Auckland"},   {"PLT", "Asia/Karachi"},
    {"PNT", "America/Phoenix"},    {"PRT", "America/Puerto_Rico"},
    {"PST", "America/Los_Angeles"}, {"SST", "Pacific/Guadalcanal"},
    {"VST", "Asia/Ho_Chi_Minh"},   {"UCT", "Etc/UCT"},
}};

bool AllDigits(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

// Parses the part after "GMT"/"UTC": "", "+5", "+05", "+0530", "+05:30".
std::optional<Millis> ParseOffset(std::string_view s) {
  if (s.empty()) return Millis(0);
  if (s[0] != '+' && s[0] != '-') return std::nullopt;
  int sign = s[0] == '-' ? -1 : 1;
  std::string_view rest = s.substr(1);
  int hours = 0, minutes = 0;
  auto colon = rest.find(':');
  if (colon != std::string_view::npos) {
    auto h = rest.substr(0, colon), m = rest.substr(colon + 1);
    if (!AllDigits(h) || h.size() > 2 || !AllDigits(m) || m.size() != 2) return std::nullopt;
    hours = std::stoi(std::string(h));
    minutes = std::stoi(std::string(m));
  } else if (AllDigits(rest) && rest.size() <= 2) {
    hours = std::stoi(std::string(rest));
  } else if (AllDigits(rest) && rest.size() == 4) {
    hours = std::stoi(std::string(rest.substr(0, 2)));
    minutes = std::stoi(std::string(rest.substr(2)));
  } else {
    return std::nullopt;
  }
  if (hours > 23 || minutes > 59) return std::nullopt;
  return Millis(sign * (hours * 3600000LL + minutes * 60000LL));
}

}  // namespace

TimeZone TimeZone::Utc() { return TimeZone("GMT", nullptr, Millis(0)); }

TimeZone TimeZone::Parse(std::string_view id) {
  std::string name(id);
  for (std::string_view prefix : {"GMT", "UTC"}) {
    if (id.substr(0, 3) == prefix) {
      if (auto offset = ParseOffset(id.substr(3))) return TimeZone(name, nullptr, *offset);
    }
  }
  if (id == "EST") return TimeZone(name, nullptr, std::chrono::hours(-5));
  if (id == "MST") return TimeZone(name, nullptr, std::chrono::hours(-7));
  if (id == "HST") return TimeZone(name, nullptr, std::chrono::hours(-10));
  std::string region = name;
  for (const auto& s : kJavaShortIds) {
    if (id == s.id) region = s.zone;
  }
  try {
    return TimeZone(name, date::locate_zone(region), Millis(0));
  } catch (const std::exception&) {
    throw ConfigError(fmt::format(
        "unknown time zone '{}': use an IANA name such as \"Europe/Berlin\", \"GMT\" or an "
        "offset such as \"GMT+05:30\"",
        id));
  }
}

LocalMillis TimeZone::ToLocal(Instant t) const {
  if (!zone_) return LocalMillis(t.time_since_epoch() + fixed_offset_);
  return zone_->to_local(t);
}

Instant TimeZone::ToUtc(LocalMillis local) const {
  if (!zone_) return Instant(local.time_since_epoch() - fixed_offset_);
  return zone_->to_sys(local, date::choose::earliest);
}

}  // namespace usaged
