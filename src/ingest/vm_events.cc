// VM.CREATE/START/STOP/DESTROY/UPGRADE/DYNAMIC.SCALE -> usage_vm_instance
// (usage_type 2 = allocated, 1 = running).
#include <charconv>

#include "core/usage_types.h"
#include "ingest/handlers.h"
#include "ingest/interval_ops.h"

namespace usaged::ingest {
namespace {

const IntervalTable kVmRows{"usage_vm_instance", "start_date", "end_date",
                            "account_id = ? AND vm_instance_id = ? AND usage_type = ?"};
constexpr int kRunning = usage_type::kRunningVm;
constexpr int kAllocated = usage_type::kAllocatedVm;

std::optional<int64_t> NumericDetail(const UsageEvent& e, const std::string& name) {
  auto v = e.Detail(name);
  if (!v) return std::nullopt;
  int64_t n = 0;
  auto [ptr, ec] = std::from_chars(v->data(), v->data() + v->size(), n);
  if (ec != std::errc() || ptr != v->data() + v->size()) return std::nullopt;
  return n;
}

void InsertVmRow(store::Connection& conn, const UsageEvent& e, int type) {
  conn.Run(
      "INSERT INTO ${usage}.usage_vm_instance (usage_type, zone_id, account_id, vm_instance_id, "
      "vm_name, service_offering_id, template_id, hypervisor_type, start_date, end_date, "
      "cpu_speed, cpu_cores, memory) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, NULL, ?, ?, ?)",
      type, e.zone_id, e.account_id, *e.resource_id, *e.resource_name, *e.offering_id,
      *e.template_id, e.resource_type, e.created, NumericDetail(e, "cpuSpeed"),
      NumericDetail(e, "cpuNumber"), NumericDetail(e, "memory"));
}

// The service offering of the VM's single open allocation, if it has one.
std::optional<int64_t> OpenAllocationOffering(store::Connection& conn, const UsageEvent& e) {
  auto& q = conn.Prepare(
                    "SELECT service_offering_id FROM ${usage}.usage_vm_instance WHERE "
                    "account_id = ? AND vm_instance_id = ? AND usage_type = 2 AND end_date IS NULL")
                .Bind(e.account_id, *e.resource_id);
  std::vector<int64_t> offerings;
  while (q.Next()) offerings.push_back(q.Int(0));
  q.Reset();
  if (offerings.size() != 1) return std::nullopt;
  return offerings.front();
}

class VmEventHandler final : public EventHandler {
 public:
  std::string_view family() const override { return "vm"; }
  std::vector<std::string_view> event_types() const override {
    return {"VM.CREATE", "VM.START", "VM.STOP", "VM.DESTROY", "VM.UPGRADE", "VM.DYNAMIC.SCALE"};
  }

  ApplyOutcome Apply(store::Connection& conn, const UsageEvent& e,
                     const AccountRef&) const override {
    if (!e.resource_id) return ApplyOutcome::Quarantine("no resource_id (the VM)");
    if (e.type == "VM.STOP") return Close(conn, e, kRunning, "running interval");
    if (e.type == "VM.DESTROY") return Destroy(conn, e);
    if (!e.resource_name) return ApplyOutcome::Quarantine("no resource_name (the VM name)");
    if (!e.offering_id) return ApplyOutcome::Quarantine("no offering_id (the service offering)");
    if (!e.template_id) return ApplyOutcome::Quarantine("no template_id");
    if (e.type == "VM.CREATE" || e.type == "VM.UPGRADE") return Reopen(conn, e, kAllocated);
    return Start(conn, e);  // VM.START, VM.DYNAMIC.SCALE
  }

 private:
  ApplyOutcome Close(store::Connection& conn, const UsageEvent& e, int type,
                     std::string_view what) const {
    auto open = OpenIntervalStarts(conn, kVmRows, e.account_id, *e.resource_id, type);
    std::string why = CheckClosable(open, e.created, what);
    if (!why.empty()) return ApplyOutcome::Quarantine(fmt::format("{} for VM {}: {}", e.type,
                                                                  *e.resource_id, why));
    CloseOpenIntervals(conn, kVmRows, e.created, e.account_id, *e.resource_id, type);
    return ApplyOutcome::Applied();
  }

  ApplyOutcome Destroy(store::Connection& conn, const UsageEvent& e) const {
    ApplyOutcome outcome = Close(conn, e, kAllocated, "allocation");
    if (outcome.kind == ApplyOutcome::Kind::kQuarantined) return outcome;
    // CloudStack expects a VM.STOP first; a VM destroyed while still counted
    // as running would otherwise be billed as running forever.
    auto running = OpenIntervalStarts(conn, kVmRows, e.account_id, *e.resource_id, kRunning);
    if (!running.empty() && running.back() <= e.created) {
      CloseOpenIntervals(conn, kVmRows, e.created, e.account_id, *e.resource_id, kRunning);
      return ApplyOutcome::Healed(fmt::format("VM {} was destroyed while running since {}: the "
                                              "running interval is closed too",
                                              *e.resource_id, FormatUtc(running.front())));
    }
    return outcome;
  }

  // Closes the open rows of `type` (if any) and opens a new one at the event.
  ApplyOutcome Reopen(store::Connection& conn, const UsageEvent& e, int type) const {
    auto open = OpenIntervalStarts(conn, kVmRows, e.account_id, *e.resource_id, type);
    if (!open.empty() && open.back() >= e.created) {
      return ApplyOutcome::Healed(fmt::format("VM {} already has an interval opened at {}",
                                              *e.resource_id, FormatUtc(open.back())));
    }
    ApplyOutcome outcome = ApplyOutcome::Applied();
    if (!open.empty() && e.type == "VM.CREATE") {
      outcome = ApplyOutcome::Healed(fmt::format(
          "VM.CREATE for VM {} already allocated since {}: the old allocation is closed",
          *e.resource_id, FormatUtc(open.front())));
    }
    CloseOpenIntervals(conn, kVmRows, e.created, e.account_id, *e.resource_id, type);
    InsertVmRow(conn, e, type);
    return outcome;
  }

  ApplyOutcome Start(store::Connection& conn, const UsageEvent& e) const {
    auto running = OpenIntervalStarts(conn, kVmRows, e.account_id, *e.resource_id, kRunning);
    if (!running.empty() && running.back() >= e.created) {
      return ApplyOutcome::Healed(fmt::format("VM {} is already running since {}",
                                              *e.resource_id, FormatUtc(running.back())));
    }
    ApplyOutcome outcome = ApplyOutcome::Applied();
    if (!running.empty() && e.type == "VM.START") {
      outcome = ApplyOutcome::Healed(fmt::format(
          "VM.START for VM {} running since {} without a VM.STOP: the running interval is "
          "closed and a new one opened",
          *e.resource_id, FormatUtc(running.front())));
    }
    CloseOpenIntervals(conn, kVmRows, e.created, e.account_id, *e.resource_id, kRunning);
    // A VM started with another service offering changes its allocation too.
    auto allocated = OpenAllocationOffering(conn, e);
    if (allocated && *allocated != *e.offering_id) {
      CloseOpenIntervals(conn, kVmRows, e.created, e.account_id, *e.resource_id, kAllocated);
      InsertVmRow(conn, e, kAllocated);
    }
    InsertVmRow(conn, e, kRunning);
    return outcome;
  }
};

}  // namespace

std::unique_ptr<EventHandler> NewVmEventHandler() { return std::make_unique<VmEventHandler>(); }

}  // namespace usaged::ingest
