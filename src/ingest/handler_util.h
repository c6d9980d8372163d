#pragma once

#include <fmt/format.h>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ingest/interval_table.h"

namespace usaged::ingest {

inline SqlValue Value(const std::optional<int64_t>& v) {
  return v ? SqlValue{*v} : SqlValue{};
}
inline SqlValue Value(const std::optional<std::string>& v) {
  return v ? SqlValue{*v} : SqlValue{};
}

// Why an event that ends an interval at `at` cannot be applied to these open
// rows, or "" if it can: there must be one, and none may start after `at`.
inline std::string CheckClosable(const std::vector<IntervalRow*>& open, Instant at,
                                 std::string_view what) {
  if (open.empty()) return fmt::format("no open {} to close", what);
  if (open.back()->start > at) {
    return fmt::format("the open {} starts at {}, after this event's time", what,
                       FormatUtc(open.back()->start));
  }
  return "";
}

inline void CloseAll(IntervalTable& table, const std::vector<IntervalRow*>& rows, Instant at) {
  for (IntervalRow* row : rows) table.Close(*row, at);
}

}  // namespace usaged::ingest
