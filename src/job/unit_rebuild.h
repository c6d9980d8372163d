#pragma once

#include <cstdint>
#include <optional>
#include <set>
#include <vector>

#include "core/hours.h"
#include "core/window.h"
#include "store/account_directory.h"
#include "store/connection.h"

namespace usaged::job {

// Which records of a unit a rebuild touches. Empty optionals mean "all".
struct RecordScope {
  std::optional<std::set<int64_t>> accounts;
  std::optional<int> usage_type;
};

// One (window, shard) unit as a rebuild sees it.
struct UnitSlice {
  Window window;
  int shard = 0;
  int shard_count = 1;
};

enum class RebuildMode {
  kReplace,      // delete the scope's records of the unit, insert freshly parsed ones
  kFillMissing,  // insert only parsed records whose usage_key is not stored yet
};

struct RebuildResult {
  int64_t deleted = 0;
  int64_t written = 0;
};

// Re-parses one unit for `scope` and writes the result, INSIDE the caller's
// transaction (the caller commits it together with its own bookkeeping, so a
// crash leaves either the old records or the new ones, never a mix). Only
// usage types some registered parser produces are ever deleted: a type usaged
// cannot parse is never removed without a replacement. Shared by late-event
// restatement, generate and regenerate.
RebuildResult RebuildUnitRecords(store::Connection& conn, const UnitSlice& unit,
                                 HoursMode hours_mode, const store::AccountDirectory& accounts,
                                 const RecordScope& scope, RebuildMode mode);

// The usage types the registered parsers produce, ascending.
std::vector<int> ParsedUsageTypes();

}  // namespace usaged::job
