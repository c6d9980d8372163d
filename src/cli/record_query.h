#pragma once

#include <optional>

#include "cli/output.h"
#include "core/time.h"
#include "store/connection.h"

namespace usaged::cli {

struct RecordFilter {
  std::optional<int64_t> account_id;
  std::optional<int> usage_type;
  std::optional<Instant> start;  // start_date >= start
  std::optional<Instant> end;    // end_date <= end
};

// cloud_usage rows matching `filter`, every column, in a stable order (window,
// account, type, natural key) that does not depend on insertion order.
ResultTable RecordTable(store::Connection& conn, const RecordFilter& filter);

}  // namespace usaged::cli
