#include "job/unit_rebuild.h"

#include <fmt/format.h>

#include <algorithm>
#include <unordered_set>

#include "parse/parsers.h"

namespace usaged::job {
namespace {

std::string JoinIds(const auto& ids) {
  std::string out;
  for (auto id : ids) out += (out.empty() ? "" : ",") + std::to_string(id);
  return out;
}

// The WHERE clause selecting the scope's stored records of a unit. Ids and
// types are numbers usaged produced itself; inlining them keeps the statement
// free of variable-length parameter lists.
std::string UnitRecordsWhere(const UnitSlice& unit, const RecordScope& scope) {
  // Records of a window lie within it; some types (VM snapshots) date their
  // records with the helper row's own times inside the window.
  std::string where = fmt::format(
      "start_date >= ? AND end_date <= ? AND (account_id % {}) = {}", unit.shard_count,
      unit.shard);
  if (scope.accounts) where += fmt::format(" AND account_id IN ({})", JoinIds(*scope.accounts));
  if (scope.usage_type) {
    where += fmt::format(" AND usage_type = {}", *scope.usage_type);
  } else {
    where += fmt::format(" AND usage_type IN ({})", JoinIds(ParsedUsageTypes()));
  }
  return where;
}

std::vector<UsageRecord> ParseScoped(store::Connection& conn, const UnitSlice& unit,
                                     HoursMode hours_mode,
                                     const store::AccountDirectory& accounts,
                                     const RecordScope& scope) {
  parse::ParseScope parse_scope;
  parse_scope.window = unit.window;
  parse_scope.shard = unit.shard;
  parse_scope.shard_count = unit.shard_count;
  parse_scope.hours_mode = hours_mode;
  parse_scope.directory = &accounts;
  parse_scope.accounts = scope.accounts;
  std::vector<UsageRecord> records;
  for (const auto& parser : parse::AllParsers()) {
    auto types = parser->usage_types();
    if (scope.usage_type &&
        std::find(types.begin(), types.end(), *scope.usage_type) == types.end()) {
      continue;
    }
    parser->Parse(conn, parse_scope, records);
  }
  if (scope.usage_type) {
    std::erase_if(records, [&](const UsageRecord& r) { return r.usage_type != *scope.usage_type; });
  }
  std::sort(records.begin(), records.end(),
            [](const UsageRecord& a, const UsageRecord& b) { return a.usage_key < b.usage_key; });
  return records;
}

}  // namespace

std::vector<int> ParsedUsageTypes() {
  std::set<int> types;
  for (const auto& parser : parse::AllParsers()) {
    for (int t : parser->usage_types()) types.insert(t);
  }
  return {types.begin(), types.end()};
}

RebuildResult RebuildUnitRecords(store::Connection& conn, const UnitSlice& unit,
                                 HoursMode hours_mode, const store::AccountDirectory& accounts,
                                 const RecordScope& scope, RebuildMode mode) {
  RebuildResult result;
  if (scope.accounts && scope.accounts->empty()) return result;
  const std::string where = UnitRecordsWhere(unit, scope);
  std::vector<UsageRecord> records = ParseScoped(conn, unit, hours_mode, accounts, scope);
  if (mode == RebuildMode::kReplace) {
    result.deleted = conn.Run("DELETE FROM ${usage}.cloud_usage WHERE " + where,
                              unit.window.start, unit.window.display_end());
  } else {
    std::unordered_set<std::string> stored;
    auto& q = conn.Prepare("SELECT usage_key FROM ${usage}.cloud_usage WHERE " + where)
                  .Bind(unit.window.start, unit.window.display_end());
    while (q.Next()) stored.insert(q.Text(0));
    q.Reset();
    std::erase_if(records, [&](const UsageRecord& r) { return stored.count(r.usage_key) > 0; });
  }
  conn.InsertUsageRecords(records);
  result.written = static_cast<int64_t>(records.size());
  return result;
}

}  // namespace usaged::job
