#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.h"
#include "store/connection.h"

namespace usaged::maintain {

// Kinds of sanity findings (usaged_sanity_finding.kind).
namespace finding_kind {
// A resource's record count for a type differs from the windows it lived in
// (as re-parsing the helper tables says).
inline constexpr std::string_view kRecordCount = "RECORD_COUNT";
// A record in a window after the last one the resource lived in.
inline constexpr std::string_view kRecordAfterRemoval = "RECORD_AFTER_REMOVAL";
inline constexpr std::string_view kOverlappingRecords = "OVERLAPPING_RECORDS";
inline constexpr std::string_view kDuplicateRecord = "DUPLICATE_RECORD";
inline constexpr std::string_view kDuplicateEvent = "DUPLICATE_EVENT";
// raw_usage of a time-based type longer than its window.
inline constexpr std::string_view kRawUsageTooLong = "RAW_USAGE_TOO_LONG";
// Billed windows that are not contiguous (time skipped or covered twice).
inline constexpr std::string_view kJobGap = "JOB_GAP";
}  // namespace finding_kind

struct SanityFinding {
  std::string kind;
  std::optional<int> usage_type;
  std::optional<int64_t> account_id;
  std::optional<int64_t> usage_id;
  std::optional<Instant> window_start;
  std::optional<Instant> window_end;
  std::string detail;
};

struct SanityOptions {
  // The range checked; defaults: end = the checkpoint, start = end minus
  // usage.sanity.check.interval days (at least one day).
  std::optional<Instant> start;
  std::optional<Instant> end;
};

struct SanityReport {
  Instant start{};
  Instant end{};
  std::vector<SanityFinding> findings;
  int64_t job_id = 0;
};

// Runs every check over [start, end), covering every usage type a registered
// parser produces, and records it as a SANITY job. Findings are written to the
// "sanity" log (sanity.log under --log-dir), the usaged_sanity_finding table
// and, if any, one alert
// (USAGE_SANITY_FINDING). Throws InputError for an inverted range.
SanityReport RunSanityCheck(store::Connection& conn, const Clock& clock,
                            const SanityOptions& options);

// True when the interval (days; 0 disables) has passed since the last SANITY job.
bool SanityDue(store::Connection& conn, Instant now, int interval_days);

// The individual checks (sanity_checks.cc), each appending to `out`.
void CheckRecordCounts(store::Connection& conn, Instant start, Instant end,
                       std::vector<SanityFinding>& out);
void CheckOverlapsAndDuplicates(store::Connection& conn, Instant start, Instant end,
                                std::vector<SanityFinding>& out);
void CheckDuplicateEvents(store::Connection& conn, Instant start, Instant end,
                          std::vector<SanityFinding>& out);
void CheckRawUsage(store::Connection& conn, Instant start, Instant end,
                   std::vector<SanityFinding>& out);
void CheckWindowGaps(store::Connection& conn, Instant start, Instant end,
                     std::vector<SanityFinding>& out);

}  // namespace usaged::maintain
