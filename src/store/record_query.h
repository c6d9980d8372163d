#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/usage_record.h"
#include "store/connection.h"

namespace usaged::store {

// Which cloud_usage rows a listing reads.
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

// A cloud_usage row with its id.
struct StoredRecord {
  int64_t id = 0;
  UsageRecord record;
};

struct RecordPage {
  int64_t total = 0;  // rows matching the filter, over all pages
  std::vector<StoredRecord> rows;
};

// Every column of cloud_usage, in UsageRecord order after the id; the last
// is usage_key.
const std::vector<std::string>& RecordColumns();

// "id, zone_id, ..., state, usage_key" for a SELECT. Without the key (a
// database usaged is not installed in: CloudStack's cloud_usage has no
// usage_key column) the last item is "NULL".
std::string RecordSelectList(bool with_key = true);

// Reads a row selected with RecordSelectList().
StoredRecord ReadStoredRecord(Statement& q);

// Rows matching `filter` in a stable order (window, account, type, natural
// key, id) that does not depend on insertion order: `limit` rows after
// skipping `offset` (limit < 0: every row).
RecordPage ListRecordPage(Connection& conn, const RecordFilter& filter, int64_t offset,
                          int64_t limit);

// The statement of ListRecordPage(filter, 0, -1), ready to iterate with
// Next(); read each row with ReadStoredRecord.
Statement& QueryRecords(Connection& conn, const RecordFilter& filter);

}  // namespace usaged::store
