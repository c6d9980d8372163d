#pragma once

#include <string>

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

}  // namespace usaged::parse
