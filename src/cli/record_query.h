#pragma once

#include <optional>
#include <vector>

#include "cli/output.h"
#include "core/time.h"
#include "core/usage_record.h"
#include "store/connection.h"
#include "store/record_query.h"

namespace usaged::cli {

using store::RecordFilter;

// cloud_usage rows matching `filter`, every column, in a stable order (window,
// account, type, natural key) that does not depend on insertion order.
ResultTable RecordTable(store::Connection& conn, const RecordFilter& filter);

}  // namespace usaged::cli
