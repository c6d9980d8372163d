// VM_DISK_IO_READ/WRITE (21/22) and VM_DISK_BYTES_READ/WRITE (23/24) from
// usage_vm_disk, the deltas the statistics step derives from
// cloud.vm_disk_statistics.
#include <fmt/format.h>

#include <array>
#include <map>

#include "core/usage_types.h"
#include "parse/sampled_usage.h"
#include "parse/parsers.h"
#include "parse/time_record.h"

namespace usaged::parse {
namespace {

struct DiskUse {
  int64_t account_id = 0;
  int64_t domain_id = 0;
  int64_t zone_id = 0;
  int64_t vm_id = 0;
  int64_t volume_id = 0;
  std::array<int64_t, 4> amounts{};  // io read, io write, bytes read, bytes write
};

struct Measure {
  int type;
  const char* description;  // CloudStack's wording
  const char* unit;
};
constexpr std::array<Measure, 4> kMeasures = {{
    {usage_type::kVmDiskIoRead, "disk I/O read (io requests)", "io read"},
    {usage_type::kVmDiskIoWrite, "disk I/O write (io requests)", "io write"},
    {usage_type::kVmDiskBytesRead, "disk I/O read (bytes)", "bytes read"},
    {usage_type::kVmDiskBytesWrite, "disk I/O write (bytes)", "bytes write"},
}};

class VmDiskParser final : public UsageParser {
 public:
  std::string_view name() const override { return "vm_disk"; }
  std::vector<int> usage_types() const override {
    return {usage_type::kVmDiskIoRead, usage_type::kVmDiskIoWrite, usage_type::kVmDiskBytesRead,
            usage_type::kVmDiskBytesWrite};
  }

  // One query for the window and shard; rows are summed per account, zone,
  // VM and volume (per account and zone for rows without a VM); a key with any
  // I/O gives all four records.
  void Parse(store::Connection& conn, const ParseScope& scope,
             std::vector<UsageRecord>& out) const override {
    auto& q = QueryWindowSamples(conn, scope, "usage_vm_disk",
                                 "account_id, zone_id, vm_id, volume_id, io_read, io_write, "
                                 "bytes_read, bytes_write");
    std::map<std::string, DiskUse> by_key;
    while (q.Next()) {
      const store::AccountRef* account = scope.Billable(q.Int(0));
      if (!account) continue;
      int64_t zone = q.Int(1), vm = q.Int(2), volume = q.Int(3);
      std::string key = vm == 0 ? fmt::format("{}-{}", account->id, zone)
                                : fmt::format("{}-{}-{}-{}", account->id, zone, vm, volume);
      DiskUse& d = by_key[key];
      d.account_id = account->id;
      d.domain_id = account->domain_id;
      d.zone_id = zone;
      d.vm_id = vm;
      d.volume_id = volume;
      for (int i = 0; i < 4; ++i) d.amounts[i] += q.Int(4 + i);
    }
    for (const auto& [key, d] : by_key) {
      bool any = false;
      for (int64_t a : d.amounts) any = any || a > 0;
      if (!any) continue;
      for (size_t i = 0; i < kMeasures.size(); ++i) {
        out.push_back(Record(kMeasures[i], d, i, scope.window));
      }
    }
  }

 private:
  static UsageRecord Record(const Measure& m, const DiskUse& d, size_t i, const Window& window) {
    UsageRecord r = NewAmountRecord(m.type, d.account_id, d.domain_id, d.zone_id, d.amounts[i],
                                    m.unit, window);
    r.description = m.description;
    if (d.vm_id != 0 && d.volume_id != 0) {
      r.description += fmt::format(" for Vm: {} and Volume: {}", d.vm_id, d.volume_id);
      r.vm_instance_id = d.vm_id;
    }
    r.usage_id = d.volume_id;
    r.type = "VirtualMachine";
    Finish(r);
    return r;
  }
};

}  // namespace

std::unique_ptr<UsageParser> NewVmDiskParser() { return std::make_unique<VmDiskParser>(); }

}  // namespace usaged::parse
