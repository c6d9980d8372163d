#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace usaged {

using Millis = std::chrono::milliseconds;
// A point in time, UTC, millisecond precision (CloudStack's Date precision).
using Instant = std::chrono::sys_time<Millis>;

// Parses an operator-supplied UTC time. Accepted forms: "YYYY-MM-DD HH:MM:SS",
// "YYYY-MM-DDTHH:MM:SS" and "YYYY-MM-DD" (midnight). Throws InputError that
// names `what` (e.g. "--now") and the expected form on anything else.
Instant ParseUtc(std::string_view text, std::string_view what = "time");

// Same rules, returning nullopt instead of throwing.
std::optional<Instant> TryParseUtc(std::string_view text);

// "YYYY-MM-DD HH:MM:SS"; milliseconds are truncated, as MariaDB DATETIME and
// CloudStack's GMT date strings do.
std::string FormatUtc(Instant t);

// "YYYY-MM-DD HH:MM:SS.mmm", for logs that must show the millisecond.
std::string FormatUtcMillis(Instant t);

inline int64_t ToEpochMillis(Instant t) { return t.time_since_epoch().count(); }
inline Instant FromEpochMillis(int64_t ms) { return Instant(Millis(ms)); }

// Truncates to the whole second (what a DATETIME column keeps).
Instant FloorToSecond(Instant t);

}  // namespace usaged
