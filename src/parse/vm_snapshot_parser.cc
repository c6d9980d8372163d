// VM_SNAPSHOT (25) from usage_vmsnapshot and VM_SNAPSHOT_ON_PRIMARY (27) from
// usage_snapshot_on_primary: one record per helper row, dated with the row's
// own time inside the window, as CloudStack's parsers write them.
#include <algorithm>
#include <map>
#include <tuple>

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

  // A chain size lasts until the next row of its chain starts. usaged's own
  // rows already end there, but rows the Java server wrote before usaged took
  // over hold the wall-clock time of a parse in `processed` instead; healing
  // trims those only down to the checkpoint, which would bill a superseded
  // size for 1 ms more in compat mode. Ending every row at its successor
  // bills them as CloudStack did.
  void SettleEnds(std::vector<Row>& rows) const override {
    std::map<std::tuple<int64_t, int64_t, int64_t>, Instant> next_start;
    for (auto row = rows.rbegin(); row != rows.rend(); ++row) {
      auto chain = std::make_tuple(row->account_id, row->info.vm_id, row->info.volume_id);
      auto next = next_start.find(chain);
      if (next != next_start.end() && (!row->end || next->second < *row->end)) {
        row->end = next->second;
      }
      next_start[chain] = row->created;
    }
  }

  // A chain size of 0 gives a record (of size 0) only in a window that it is
  // still open at the end of: CloudStack bills such a row from its start to
  // the window's end while nothing supersedes it, and never bills the part
  // that a newer snapshot ended (it writes a segment only when the previous
  // size is not 0).
  bool Bills(const Row& row, const Window& window) const override {
    return row.info.size != 0 || !row.end || *row.end >= window.next;
  }

  void Describe(const std::vector<Row>& all, const Row& row, UsageRecord& r) const override {
    const ChainInfo& c = row.info;
    // CloudStack writes the part of a chain size that a newer snapshot ended
    // with that newer snapshot's id and zone.
    std::optional<int64_t> label = c.vm_snapshot_id;
    if (const Row* next = Successor(all, row)) {
      label = next->info.vm_snapshot_id;
      r.zone_id = next->info.zone_id;
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

 private:
  // The row of the same chain that starts where `row` ends, if any.
  static const Row* Successor(const std::vector<Row>& all, const Row& row) {
    if (!row.end) return nullptr;
    auto next = std::lower_bound(all.begin(), all.end(), *row.end,
                                 [](const Row& a, Instant t) { return a.created < t; });
    for (; next != all.end() && next->created == *row.end; ++next) {
      if (next->account_id == row.account_id && next->info.vm_id == row.info.vm_id &&
          next->info.volume_id == row.info.volume_id) {
        return &*next;
      }
    }
    return nullptr;
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
  bool Bills(const Row& row, const Window&) const override {
    return row.info.physical_size != 0;
  }
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
