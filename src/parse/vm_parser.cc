// RUNNING_VM (1) and ALLOCATED_VM (2) from usage_vm_instance.
#include "core/usage_types.h"
#include "parse/interval_parser.h"
#include "parse/parsers.h"

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

class VmParser final : public IntervalParser<VmInfo> {
 public:
  VmParser()
      : IntervalParser({"usage_vm_instance", "start_date", "end_date",
                        "usage_type, zone_id, vm_instance_id, vm_name, service_offering_id, "
                        "template_id, hypervisor_type, cpu_cores, cpu_speed, memory",
                        "AND usage_type IN (1, 2)"},
                       DescribedBy::kQueriedRows) {}
  std::string_view name() const override { return "vm"; }
  std::vector<int> usage_types() const override {
    return {usage_type::kRunningVm, usage_type::kAllocatedVm};
  }

 protected:
  std::string ReadRow(store::Statement& q, VmInfo& v) const override {
    v = {static_cast<int>(q.Int(1)), q.Int(2), q.Int(3), q.Text(4), q.Int(5), q.Int(6),
         q.OptText(7), q.OptInt(8), q.OptInt(9), q.OptInt(10)};
    return fmt::format("{}-{}-{}-{}-{}-{}", v.vm_id, v.service_offering_id, v.usage_type,
                       KeyPart(v.cpu_cores), KeyPart(v.cpu_speed), KeyPart(v.memory));
  }
  int RecordType(const Group& g) const override { return g.last.usage_type; }
  int64_t ZoneOf(const Group& g) const override { return g.last.zone_id; }
  void Describe(const Group& g, UsageRecord& r) const override {
    const VmInfo& last = g.last;
    // The name comes from the first row of the window, the rest from the last.
    r.description = fmt::format(
        "{}{} (ServiceOffering: {}) (Template: {})", g.first.vm_name,
        last.usage_type == usage_type::kAllocatedVm ? " allocated" : " running time",
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
  }
};

}  // namespace

std::unique_ptr<UsageParser> NewVmParser() { return std::make_unique<VmParser>(); }

}  // namespace usaged::parse
