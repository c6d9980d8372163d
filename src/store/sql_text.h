#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace usaged::store {

// Substitutes ${cloud}, ${usage} and ${insert_ignore} in SQL text.
std::string ExpandSql(std::string_view sql, std::string_view cloud_db, std::string_view usage_db,
                      std::string_view insert_ignore);

// Splits a migration file into statements: a statement ends at a line whose
// last non-blank character is ';'. Lines starting with "--" are dropped.
std::vector<std::string> SplitSqlStatements(std::string_view text);

// The INSERT of one cloud_usage row, columns in UsageRecord order.
inline constexpr std::string_view kInsertUsageRecordSql =
    "INSERT INTO ${usage}.cloud_usage (zone_id, account_id, domain_id, description, "
    "usage_display, usage_type, raw_usage, vm_instance_id, vm_name, offering_id, template_id, "
    "usage_id, type, size, network_id, start_date, end_date, virtual_size, cpu_speed, cpu_cores, "
    "memory, quota_calculated, is_hidden, state, usage_key) VALUES "
    "(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)";

}  // namespace usaged::store
