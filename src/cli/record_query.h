#pragma once

#include <optional>
#include <vector>

#include "cli/output.h"
#include "core/time.h"
#include "core/usage_record.h"
#include "store/connection.h"

namespace usaged::cli {

struct RecordFilter {
  std::optional<int64_t> account_id;
  std::optional<int> usage_type;
  std::optional<Instant> start;  // start_date >= start
  std::optional<Instant> end;    // end_date <= end
  // domain_id is one of these (an empty list matches nothing).
  std::optional<std::vector<int64_t>> domain_ids;
  std::optional<int64_t> usage_id;
  std::optional<std::string> keyword;  // description contains it (exact bytes)
};

// cloud_usage rows matching `filter`, every column, in a stable order (window,
// account, type, natural key) that does not depend on insertion order.
ResultTable RecordTable(store::Connection& conn, const RecordFilter& filter);

struct StoredRecord {
  int64_t id = 0;
  UsageRecord record;
};

struct RecordPage {
  int64_t total = 0;  // rows matching the filter, over all pages
  std::vector<StoredRecord> rows;
};

// One page of the rows RecordTable lists, in the same order: `limit` rows
// after skipping `offset` (limit < 0: every row).
RecordPage ListRecordPage(store::Connection& conn, const RecordFilter& filter, int64_t offset,
                          int64_t limit);

}  // namespace usaged::cli
