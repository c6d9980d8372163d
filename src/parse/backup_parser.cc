// BACKUP (28) from usage_backup.
#include <compare>
#include <map>

#include "core/usage_types.h"
#include "parse/backup_assignments.h"
#include "parse/interval_parser.h"
#include "parse/parsers.h"

namespace usaged::parse {
namespace {

// The rows of one VM's assignments to one backup offering in one zone.
struct AssignmentKey {
  int64_t account_id = 0;
  int64_t vm_id = 0;
  int64_t offering_id = 0;
  int64_t zone_id = 0;
  auto operator<=>(const AssignmentKey&) const = default;
};

// CloudStack writes one record per helper row, and its row is one
// assignment whose sizes each metric overwrites. usaged's rows also end at
// every size change, so the rows of one assignment are put together again
// (parse/backup_assignments.h) and each assignment gets its own records,
// told apart by their row_start.
class BackupParser final : public UsageParser {
 public:
  BackupParser()
      : sql_(WindowQuerySql({"usage_backup", "created", "removed",
                             "zone_id, vm_id, backup_offering_id, size, protected_size", ""})) {}
  std::string_view name() const override { return "backup"; }
  std::vector<int> usage_types() const override { return {usage_type::kBackup}; }

  // One query for the window and shard (WindowQuerySql).
  void Parse(store::Connection& conn, const ParseScope& scope,
             std::vector<UsageRecord>& out) const override {
    std::map<AssignmentKey, std::vector<BackupRowSpan>> rows;
    auto& q = conn.Prepare(sql_).Bind(scope.window.next, scope.shard_count, scope.shard,
                                      scope.window.start, scope.window.next, scope.shard_count,
                                      scope.shard);
    while (q.Next()) {
      if (!scope.Billable(q.Int(0))) continue;
      rows[{q.Int(0), q.Int(2), q.Int(3), q.Int(1)}].push_back(
          {q.Time(6), q.OptTime(7), q.OptInt(4).value_or(0), q.OptInt(5).value_or(0)});
    }
    for (auto& [key, spans] : rows) {
      const store::AccountRef& account = *scope.Billable(key.account_id);
      for (const BackupCharge& c : ChargeBackupRows(std::move(spans), scope.window,
                                                    scope.hours_mode)) {
        out.push_back(Record(key, account, c, scope));
      }
    }
  }

 private:
  static UsageRecord Record(const AssignmentKey& key, const store::AccountRef& account,
                            const BackupCharge& c, const ParseScope& scope) {
    UsageRecord r = NewTimeRecord(usage_type::kBackup, account.id, account.domain_id,
                                  key.zone_id, c.millis, scope.window, scope.hours_mode);
    r.description =
        fmt::format("Backup usage VM ID: {}, backup offering: {}", key.vm_id, key.offering_id);
    r.vm_instance_id = key.vm_id;
    r.usage_id = key.vm_id;
    r.offering_id = key.offering_id;
    r.size = c.size;
    r.virtual_size = c.protected_size;
    r.row_start = c.row_start;
    Finish(r);
    return r;
  }

  std::string sql_;
};

}  // namespace

std::unique_ptr<UsageParser> NewBackupParser() { return std::make_unique<BackupParser>(); }

}  // namespace usaged::parse
