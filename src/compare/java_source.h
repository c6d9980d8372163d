#pragma once

#include <optional>
#include <set>
#include <vector>

#include "compare/matcher.h"
#include "store/connection.h"

namespace usaged::compare {

// Which records a comparison covers. Empty optionals mean "all".
struct CompareScope {
  std::optional<std::set<int64_t>> accounts;
  std::optional<int> usage_type;
};

// Reads, never writes, what the Java usage server left in CloudStack's
// cloud_usage database: its records, its jobs and its helper rows. Works on
// a database usaged was never installed in (no usage_key column) as well as
// on one it was.
class JavaSource {
 public:
  explicit JavaSource(store::Connection& conn);

  // The rows whose start_date falls in [w.start, w.next), of the accounts
  // with account_id % shard_count == shard in scope.
  std::vector<JavaRow> Records(const Window& w, int shard, int shard_count,
                               const CompareScope& scope);

  // Successful jobs whose range reaches the window's last millisecond from a
  // start before the window's end (so a job that began a few seconds into
  // the window, as the Java server's first one does, counts).
  int JobsCovering(const Window& w) const;
  // The end of the last successful job's range; nullopt when none succeeded.
  std::optional<Instant> BilledUntil() const;

  // The helper rows of the record's resource alive in `w`.
  std::vector<HelperRow> HelperRows(const UsageRecord& r, const Window& w);

 private:
  store::Connection& conn_;
  std::vector<std::pair<int64_t, int64_t>> jobs_;  // (start_millis, end_millis)
};

// The helper rows of `r`'s resource alive in `w` in the connection's usage
// database (the Java server's, or usaged's shadow).
std::vector<HelperRow> LoadHelperRows(store::Connection& conn, const UsageRecord& r,
                                      const Window& w);

}  // namespace usaged::compare
