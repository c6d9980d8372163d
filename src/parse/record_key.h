#pragma once

#include <cstdint>
#include <string>
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

// The readable text that NaturalKey hashes, for logs and reports.
std::string NaturalKeyText(const UsageRecord& record);

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
