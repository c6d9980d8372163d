#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/hours.h"
#include "core/usage_record.h"
#include "core/window.h"

namespace usaged::compare {

// The classes of a difference between the Java server's cloud_usage rows and
// the records usaged makes from the same events (snake case, as `usaged
// compare --format json` names them).
namespace diff_class {
inline constexpr std::string_view kMatch = "match";
// Java rows beyond the one record of a resource and window: the window was
// billed more than once, or the resource had two helper rows at once.
inline constexpr std::string_view kJavaDuplicate = "java_duplicate";
// Equal but for the last digits of raw_usage: Java counts end - start + 1 ms
// per helper row and divides in 32-bit float; usaged's exact mode does not.
inline constexpr std::string_view kFloatRounding = "float_rounding";
// A Java record of 1 ms: a resource removed on the window's first millisecond.
inline constexpr std::string_view kBoundaryRecord = "boundary_record";
// Exact mode bills a backup assignment in parts, each size for the time it
// held; the Java server bills the last metric's size for the whole assignment.
inline constexpr std::string_view kSplitAtMetric = "split_at_metric";
// A VPN user billed by Java up to when its job ended the row, not to the removal.
inline constexpr std::string_view kVpnRemovalTime = "vpn_removal_time";
// Java's window starts or ends off the aggregation boundaries usaged aligns to.
inline constexpr std::string_view kUnalignedWindow = "unaligned_window";
inline constexpr std::string_view kMissingInJava = "missing_in_java";
inline constexpr std::string_view kMissingInUsaged = "missing_in_usaged";
inline constexpr std::string_view kDifferentQuantity = "different_quantity";
// A difference with no known cause (listed first; `compare` exits 1).
inline constexpr std::string_view kUnexplained = "unexplained";
}  // namespace diff_class

// A row of the Java server's cloud_usage.
struct JavaRow {
  int64_t id = 0;
  UsageRecord record;
};

// One lifetime row of a helper table.
struct HelperRow {
  int64_t id = 0;
  Instant start{};
  std::optional<Instant> end;
};

// One difference: the records of one resource in one window that do not
// agree, with what explains it.
struct Difference {
  std::string cls;    // a diff_class
  std::string kind;   // what was seen (== cls unless cls is "unexplained")
  std::string cause;  // e.g. "reprocessed_window", "duplicate_helper_rows"
  int usage_type = 0;
  int64_t account_id = 0;
  Window window{};
  std::vector<int64_t> java_ids;    // cloud_usage rows of the Java server
  std::vector<int64_t> helper_ids;  // the Java server's helper rows involved
  std::string usaged_record;        // the natural key text of usaged's record
  int64_t java_records = 0;
  int64_t usaged_records = 0;
  double java_raw = 0;  // sum of raw_usage of the Java rows counted here
  double usaged_raw = 0;
  std::string detail;
  bool explained() const { return cls != diff_class::kUnexplained; }
};

// What the matcher may ask beyond the records, to explain a difference. Only
// consulted for records that differ, so it may query the databases.
class Evidence {
 public:
  virtual ~Evidence() = default;
  // Successful Java jobs whose range covers the whole window.
  virtual int JavaJobsCovering(const Window& w) = 0;
  // The Java server's helper rows of the record's resource alive in `w`.
  virtual std::vector<HelperRow> JavaHelperRows(const UsageRecord& r, const Window& w) = 0;
  // usaged's helper rows of the record's resource alive in `w`.
  virtual std::vector<HelperRow> UsagedHelperRows(const UsageRecord& r, const Window& w) = 0;
  // Why usaged bills the record's resource differently on purpose (an event
  // it quarantined, a helper row it healed), as text; "" if nothing is known.
  virtual std::string UsagedNote(const UsageRecord& r, const Window& w) = 0;
};

// What one window (or one page of its accounts) gives.
struct WindowResult {
  std::vector<Difference> differences;
  // Records equal in every column, per usage type: count and raw_usage sum.
  std::map<int, std::pair<int64_t, double>> matched;
};

// Compares the Java rows and usaged's records of one window. `mode` is the
// hours mode usaged's records were made in: float differences are expected
// (explained) in exact mode only.
WindowResult MatchWindow(const Window& window, HoursMode mode, std::vector<JavaRow> java,
                         std::vector<UsageRecord> usaged, Evidence& evidence);

}  // namespace usaged::compare
