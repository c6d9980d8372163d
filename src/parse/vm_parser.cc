// RUNNING_VM (1) and ALLOCATED_VM (2) from usage_vm_instance.
#include <fmt/format.h>

#include "core/usage_types.h"
#include "parse/interval_groups.h"
#include "parse/parsers.h"
#include "parse/time_record.h"

namespace usaged::parse {
namespace {

struct VmInfo {
  int usage_type = 0;
  int64_t zone_id = 0;
  int64_t vm_id = 0;
  std::string vm_name;
  int64_t service_offering_id = 0;
  int64_t template_id = 0;
  std::optional<std::string> hypervisor_type;
  std::optional<int64_t> cpu_cores, cpu_speed, memory;
};

std::string OptText(const std::optional<int64_t>& v) { return v ? std::to_string(*v) : "null"; }

constexpr std::string_view kQuery =
    "SELECT h.account_id, h.usage_type, h.zone_id, h.vm_instance_id, h.vm_name, "
    "h.service_offering_id, h.template_id, h.hypervisor_type, h.cpu_cores, h.cpu_speed, "
    "h.memory, h.start_date, h.end_date "
    "FROM ${usage}.usage_vm_instance h "
    "WHERE h.start_date < ? AND (h.end_date IS NULL OR h.end_date >= ?) "
    "AND (h.account_id % ?) = ? AND h.usage_type IN (1, 2)";

class VmParser final : public UsageParser {
 public:
  std::string_view name() const override { return "vm"; }
  std::vector<int> usage_types() const override {
    return {usage_type::kRunningVm, usage_type::kAllocatedVm};
  }

  void Parse(store::Connection& conn, const ParseScope& scope,
             std::vector<UsageRecord>& out) const override {
    IntervalGroups<VmInfo> groups(scope.window, scope.hours_mode);
    auto& q = conn.Prepare(kQuery).Bind(scope.window.next, scope.window.start,
                                        scope.shard_count, scope.shard);
    while (q.Next()) {
      int64_t account = q.Int(0);
      const store::AccountRef* billable = scope.Billable(account);
      if (!billable) continue;
      VmInfo info{static_cast<int>(q.Int(1)), q.Int(2), q.Int(3), q.Text(4), q.Int(5), q.Int(6),
                  q.OptText(7), q.OptInt(8), q.OptInt(9), q.OptInt(10)};
      std::string key = fmt::format("{}-{}-{}-{}-{}-{}-{}", account, info.vm_id,
                                    info.service_offering_id, info.usage_type,
                                    OptText(info.cpu_cores),
                                    OptText(info.cpu_speed), OptText(info.memory));
      groups.Add(key, account, billable->domain_id, q.Time(11), q.OptTime(12), info);
    }
    for (const auto& [key, g] : groups.groups()) {
      const VmInfo& last = g.last;
      const int type = last.usage_type;
      UsageRecord r = NewTimeRecord(type, g.account_id, g.domain_id, last.zone_id, g.millis,
                                    scope.window, scope.hours_mode);
      r.description = fmt::format("{}{} (ServiceOffering: {}) (Template: {})", g.first.vm_name,
                                  type == usage_type::kAllocatedVm ? " allocated" : " running time",
                                  last.service_offering_id, last.template_id);
      r.vm_instance_id = last.vm_id;
      r.vm_name = g.first.vm_name;
      r.cpu_cores = last.cpu_cores;
      r.cpu_speed = last.cpu_speed;
      r.memory = last.memory;
      r.offering_id = last.service_offering_id;
      r.template_id = last.template_id;
      r.usage_id = last.vm_id;
      r.type = last.hypervisor_type;
      Finish(r);
      out.push_back(std::move(r));
    }
  }
};

}  // namespace

std::unique_ptr<UsageParser> NewVmParser() { return std::make_unique<VmParser>(); }

}  // namespace usaged::parse
