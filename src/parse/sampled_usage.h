#pragma once

// Records and the window query shared by the parsers of sampled usage
// (statistics: network bytes, VM disk I/O, bucket sizes).

#include <cstdint>
#include <string>
#include <string_view>

#include "core/usage_record.h"
#include "core/window.h"
#include "parse/parser.h"

namespace usaged::parse {

// A record for a type whose raw_usage is an amount (bytes, I/O requests)
// rather than hours: account, domain, zone, type, window dates, raw_usage =
// `amount` and usage_display "<amount> <unit>" (e.g. "1234 bytes sent").
// Callers set the type-specific columns and then call Finish().
UsageRecord NewAmountRecord(int usage_type, int64_t account_id, int64_t domain_id,
                            int64_t zone_id, int64_t amount, const std::string& unit,
                            const Window& window);

// Runs the one query of a statistics parser: `columns` (the first must be
// account_id) of every row of `table` (in cloud_usage) whose event_time_millis
// falls in the scope's window, for the scope's shard. The statement is the
// connection's cached one; iterate it with Next().
store::Statement& QueryWindowSamples(store::Connection& conn, const ParseScope& scope,
                                     std::string_view table, std::string_view columns);

}  // namespace usaged::parse
