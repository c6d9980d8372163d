// BACKUP (28) from usage_backup.
#include "core/usage_types.h"
#include "parse/interval_parser.h"
#include "parse/parsers.h"

namespace usaged::parse {
namespace {

struct BackupInfo {
  int64_t zone_id = 0;
  int64_t vm_id = 0;
  int64_t offering_id = 0;
  int64_t size = 0;
  int64_t protected_size = 0;
};

class BackupParser final : public IntervalParser<BackupInfo> {
 public:
  BackupParser()
      : IntervalParser({"usage_backup", "created", "removed",
                        "zone_id, vm_id, backup_offering_id, size, protected_size", ""}) {}
  std::string_view name() const override { return "backup"; }
  std::vector<int> usage_types() const override { return {usage_type::kBackup}; }

 protected:
  std::string ReadRow(store::Statement& q, BackupInfo& b) const override {
    b = {q.Int(1), q.Int(2), q.Int(3), q.OptInt(4).value_or(0), q.OptInt(5).value_or(0)};
    // CloudStack writes one record per helper row. Rows of one VM, offering,
    // zone and sizes are summed instead, so that a VM re-assigned to the same
    // offering within a window gets one record, not two identical ones.
    return fmt::format("{}-{}-{}-{}-{}", b.vm_id, b.offering_id, b.zone_id, b.size,
                       b.protected_size);
  }
  int RecordType(const Group&) const override { return usage_type::kBackup; }
  int64_t ZoneOf(const Group& g) const override { return g.last.zone_id; }
  void Describe(const Group& g, UsageRecord& r) const override {
    const BackupInfo& b = g.last;
    r.description =
        fmt::format("Backup usage VM ID: {}, backup offering: {}", b.vm_id, b.offering_id);
    r.vm_instance_id = b.vm_id;
    r.usage_id = b.vm_id;
    r.offering_id = b.offering_id;
    r.size = b.size;
    r.virtual_size = b.protected_size;
  }
};

}  // namespace

std::unique_ptr<UsageParser> NewBackupParser() { return std::make_unique<BackupParser>(); }

}  // namespace usaged::parse
