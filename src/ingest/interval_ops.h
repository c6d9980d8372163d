#pragma once

#include <fmt/format.h>

#include <string>
#include <string_view>
#include <vector>

#include "core/time.h"
#include "store/connection.h"

namespace usaged::ingest {

// A helper table whose rows are resource lifetimes [start, end), end NULL while
// the resource lives, and the condition that picks one resource's rows.
struct IntervalTable {
  std::string_view table;         // e.g. "usage_volume"
  std::string_view start_column;  // e.g. "created"
  std::string_view end_column;    // e.g. "deleted"
  std::string_view match;         // e.g. "account_id = ? AND id = ?"
};

// Start times of the resource's open rows, oldest first.
template <class... Args>
std::vector<Instant> OpenIntervalStarts(store::Connection& conn, const IntervalTable& t,
                                        const Args&... match_args) {
  std::string sql = fmt::format("SELECT {1} FROM ${{usage}}.{0} WHERE {3} AND {2} IS NULL ORDER BY {1}",
                                t.table, t.start_column, t.end_column, t.match);
  auto& q = conn.Prepare(sql).Bind(match_args...);
  std::vector<Instant> out;
  while (q.Next()) out.push_back(q.Time(0));
  q.Reset();
  return out;
}

// Closes the resource's open rows at `at`; returns how many were closed.
template <class... Args>
int64_t CloseOpenIntervals(store::Connection& conn, const IntervalTable& t, Instant at,
                           const Args&... match_args) {
  std::string sql = fmt::format("UPDATE ${{usage}}.{0} SET {2} = ? WHERE {3} AND {2} IS NULL",
                                t.table, t.start_column, t.end_column, t.match);
  return conn.Prepare(sql).Bind(at, match_args...).Run();
}

// Why an event that closes an interval at `at` cannot be applied to these open
// rows, or "" if it can: there must be one, and none may start after `at`.
std::string CheckClosable(const std::vector<Instant>& open_starts, Instant at,
                          std::string_view what);

}  // namespace usaged::ingest
