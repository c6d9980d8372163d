#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/usage_record.h"

namespace usaged::parse {

// The natural key of a cloud_usage record: its usage type, account, window and
// the fields the type's parser groups by (e.g. for NETWORK_OFFERING the VM and
// the offering; for VOLUME the volume, disk offering and size). Computed only
// from columns of the record, so it can be derived for rows written by the
// Java server too. Returned as 32 hex digits: the window start (8 digits, so a
// window's keys are adjacent in the index) and 96 bits of SHA-256 of the text.
std::string NaturalKey(const UsageRecord& record);

// The readable text that NaturalKey hashes, for logs and reports:
// SeriesKeyText, the window, and the row start where the record has one.
std::string NaturalKeyText(const UsageRecord& record);

// The natural key without the window (and row start): usage type, account and
// the fields the type's parser groups by. Records with the same series key
// bill the same resource, in the same configuration, in different windows
// (or, for the types in TypesKeyedByHelperRow, in parts of one window); this
// is what the sanity checks and the duplicate count call "the same record"
// across windows.
std::string SeriesKeyText(const UsageRecord& record);

// A field of the natural key: a cloud_usage column and its label in the key
// text (empty: the value stands alone).
struct KeyField {
  std::string_view label;
  std::string_view column;
};

// The fields a record of `usage_type` is keyed by beyond type, account and
// window: exactly what the type's parser groups helper rows by (for
// NETWORK_OFFERING the VM and the offering; for VOLUME the volume, disk
// offering and size; for NETWORK the network, offering and state). The one
// definition of "the same record": the natural key, the sanity checks and the
// duplicate count all derive from it, and listUsageRecords returns each of
// these columns.
const std::vector<KeyField>& KeyFields(int usage_type);

// The value of a KeyField's column as the key text holds it: the number or
// text, "null" where the column is NULL.
std::string KeyFieldValue(const UsageRecord& record, std::string_view column);

// Usage types whose records CloudStack writes one per helper row (BACKUP,
// NETWORK and VPC): one resource may have several records in a window that
// agree on every column but the hours, told apart by UsageRecord::row_start.
const std::vector<int>& TypesKeyedByHelperRow();
bool KeyedByHelperRow(int usage_type);

// The key of a record of such a type that a row written before usaged (which
// has no row_start) gets when another record already holds its natural key:
// the natural key text and the record's own id.
std::string LegacyPartKey(const UsageRecord& record, int64_t id);

}  // namespace usaged::parse
