// VM_SNAPSHOT (25) from usage_vmsnapshot and VM_SNAPSHOT_ON_PRIMARY (27) from
// usage_snapshot_on_primary: one record per helper row, dated with the row's
// own time inside the window, as CloudStack's parsers write them.
#include <algorithm>

#include "core/usage_types.h"
#include "parse/parsers.h"
#include "parse/readable_size.h"
#include "parse/row_parser.h"

namespace usaged::parse {
namespace {

std::string OptText(const std::optional<int64_t>& v) { return v ? std::to_string(*v) : "null"; }

struct ChainInfo {
  int64_t zone_id = 0;
  int64_t vm_id = 0;
  int64_t volume_id = 0;
  std::optional<int64_t> disk_offering_id;
  int64_t size = 0;
  std::optional<int64_t> vm_snapshot_id;
};

class VmSnapshotParser final : public RowParser<ChainInfo> {
 public:
  VmSnapshotParser()
      : RowParser({"usage_vmsnapshot", "created", "processed",
                   "zone_id, vm_id, volume_id, disk_offering_id, size, vm_snapshot_id", ""}) {}
  std::string_view name() const override { return "vm_snapshot"; }
  std::vector<int> usage_types() const override { return {usage_type::kVmSnapshot}; }

 protected:
  void ReadRow(store::Statement& q, ChainInfo& c) const override {
    c = {q.Int(1), q.Int(2), q.Int(3), q.OptInt(4), q.OptInt(5).value_or(0), q.OptInt(6)};
    if (c.disk_offering_id == 0) c.disk_offering_id.reset();  // CloudStack maps 0 to null
  }
  int RecordType() const override { return usage_type::kVmSnapshot; }
  int64_t ZoneOf(const ChainInfo& c) const override { return c.zone_id; }
  void Describe(const std::vector<Row>& all, const Row& row, UsageRecord& r) const override {
    const ChainInfo& c = row.info;
    // CloudStack names the part of a chain size that a newer snapshot ended
    // with that newer snapshot's id.
    std::optional<int64_t> label = c.vm_snapshot_id;
    if (row.end) {
      auto next = std::lower_bound(all.begin(), all.end(), *row.end,
                                   [](const Row& a, Instant t) { return a.created < t; });
      for (; next != all.end() && next->created == *row.end; ++next) {
        if (next->account_id == row.account_id && next->info.vm_id == c.vm_id &&
            next->info.volume_id == c.volume_id) {
          label = next->info.vm_snapshot_id;
        }
      }
    }
    r.usage_id = label;
    r.vm_instance_id = c.vm_id;
    r.offering_id = c.disk_offering_id;
    r.size = c.size;
    r.description = fmt::format("VMSnapshot Id: {} Usage: VM Id: {} Volume Id: {} ",
                                OptText(label), c.vm_id, c.volume_id);
    if (c.disk_offering_id) r.description += fmt::format(" DiskOffering: {}", *c.disk_offering_id);
    r.description += " Size: " + JavaHumanReadableSize(c.size);
  }
};

struct OnPrimaryInfo {
  int64_t zone_id = 0;
  int64_t vm_id = 0;
  std::string name;
  int64_t physical_size = 0;
  int64_t virtual_size = 0;
  std::optional<int64_t> vm_snapshot_id;
};

class VmSnapshotOnPrimaryParser final : public RowParser<OnPrimaryInfo> {
 public:
  VmSnapshotOnPrimaryParser()
      : RowParser({"usage_snapshot_on_primary", "created", "deleted",
                   "zone_id, vm_id, name, physicalsize, virtualsize, vm_snapshot_id", ""}) {}
  std::string_view name() const override { return "vm_snapshot_on_primary"; }
  std::vector<int> usage_types() const override { return {usage_type::kVmSnapshotOnPrimary}; }

 protected:
  void ReadRow(store::Statement& q, OnPrimaryInfo& p) const override {
    p = {q.Int(1), q.Int(2), q.OptText(3).value_or("null"), q.OptInt(4).value_or(0),
         q.OptInt(5).value_or(0), q.OptInt(6)};
  }
  int RecordType() const override { return usage_type::kVmSnapshotOnPrimary; }
  int64_t ZoneOf(const OnPrimaryInfo& p) const override { return p.zone_id; }
  // CloudStack never bills a snapshot that added nothing on primary storage.
  bool Bills(const OnPrimaryInfo& p) const override { return p.physical_size != 0; }
  void Describe(const std::vector<Row>&, const Row& row, UsageRecord& r) const override {
    const OnPrimaryInfo& p = row.info;
    r.usage_id = p.vm_snapshot_id;
    r.vm_instance_id = p.vm_id;
    r.vm_name = p.name;
    r.size = p.physical_size;
    r.virtual_size = p.virtual_size;
    r.description = fmt::format("VMSnapshot Id: {} On Primary Usage: VM Id: {} Size: {}",
                                OptText(p.vm_snapshot_id), p.vm_id,
                                JavaHumanReadableSize(p.virtual_size));
  }
};

}  // namespace

std::unique_ptr<UsageParser> NewVmSnapshotParser() { return std::make_unique<VmSnapshotParser>(); }
std::unique_ptr<UsageParser> NewVmSnapshotOnPrimaryParser() {
  return std::make_unique<VmSnapshotOnPrimaryParser>();
}

}  // namespace usaged::parse
