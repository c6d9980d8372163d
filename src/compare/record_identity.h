#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/usage_record.h"

namespace usaged::compare {

// Every column of a cloud_usage record that billing reads, as one string:
// two records with the same text are the same bill line. Leaves out the row
// id, usaged's usage_key and quota_calculated (which the Quota plugin sets
// later on the Java server's rows).
std::string FullText(const UsageRecord& r);

// The same comparison without building text, for the many records that are
// equal: SameRecord(a, b) == (FullText(a) == FullText(b)), and equal records
// have equal RecordHash.
bool SameRecord(const UsageRecord& a, const UsageRecord& b);
size_t RecordHash(const UsageRecord& r);

// What makes a record the record "of" one resource in one window, for
// pairing the Java server's records with usaged's: the usage type, account
// and the columns the type's parser groups by (never the description or the
// quantity, so that two records of one resource pair up even when they
// disagree there). Types whose records carry their own dates inside the
// window (25, 27) include the dates.
std::string IdentityText(const UsageRecord& r);

// The names of the columns (beyond raw_usage and usage_display) in which
// `a` and `b` differ, e.g. {"description", "size"}.
std::vector<std::string> DifferingColumns(const UsageRecord& a, const UsageRecord& b);

// Where the helper rows behind a record of a usage type live, and how to
// find the ones of the record's resource: WHERE account_id = ? AND
// <column> = <value> ... over the table's [start, end) lifetimes.
struct ResourceRows {
  std::string table;
  std::string id_column;  // the table's own row id
  std::string start_column;
  std::string end_column;
  // (column, value) pairs that select the resource's rows, account_id first.
  std::vector<std::pair<std::string, int64_t>> int_filters;
  std::vector<std::pair<std::string, std::string>> text_filters;
  // The usage_event.resource_id of the resource's events, and the LIKE
  // pattern of their types (for finding the events usaged refused or healed).
  std::optional<int64_t> event_resource_id;
  std::string event_types;  // e.g. "VM.%"
};

// nullopt for types without lifetime rows (4, 5, 21-24, 29) or a record that
// lacks the columns that name its resource.
std::optional<ResourceRows> ResourceRowsOf(const UsageRecord& r);

}  // namespace usaged::compare
