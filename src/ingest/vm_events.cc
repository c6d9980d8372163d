// VM.CREATE/START/STOP/DESTROY/UPGRADE/DYNAMIC.SCALE -> usage_vm_instance
// (usage_type 2 = allocated, 1 = running).
#include <charconv>
#include <map>
#include <string>

#include "core/usage_types.h"
#include "ingest/handler_util.h"
#include "ingest/handlers.h"
#include "ingest/helper_tables.h"

namespace usaged::ingest {
namespace {

constexpr int64_t kRunning = usage_type::kRunningVm;
constexpr int64_t kAllocated = usage_type::kAllocatedVm;

// cpuNumber, cpuSpeed and memory details (custom offerings); NULL otherwise.
SqlValue NumericDetail(const UsageEvent& e, const std::string& name) {
  auto v = e.Detail(name);
  if (!v) return SqlValue{};
  int64_t n = 0;
  auto [ptr, ec] = std::from_chars(v->data(), v->data() + v->size(), n);
  if (ec != std::errc() || ptr != v->data() + v->size()) return SqlValue{};
  return n;
}

class VmEventHandler final : public EventHandler {
 public:
  std::string_view family() const override { return "vm"; }
  std::vector<std::string_view> event_types() const override {
    return {"VM.CREATE", "VM.START", "VM.STOP", "VM.DESTROY", "VM.UPGRADE", "VM.DYNAMIC.SCALE"};
  }

  void Prefetch(const UsageEvent& e, PrefetchRequest& request) const override {
    if (e.resource_id) request.Want(kVmInstanceTable, "vm_instance_id", *e.resource_id);
  }

  ApplyOutcome Apply(HelperTables& tables, const UsageEvent& e,
                     const store::AccountRef&) const override {
    if (!e.resource_id) return ApplyOutcome::Quarantine("no resource_id (the VM)");
    IntervalTable& t = tables.Get(kVmInstanceTable);
    if (e.type == "VM.STOP") return Stop(t, e);
    if (e.type == "VM.DESTROY") return Destroy(t, e);
    if (!e.resource_name) return ApplyOutcome::Quarantine("no resource_name (the VM name)");
    if (!e.offering_id) return ApplyOutcome::Quarantine("no offering_id (the service offering)");
    if (!e.template_id) return ApplyOutcome::Quarantine("no template_id");
    if (e.type == "VM.CREATE" || e.type == "VM.UPGRADE") return Reopen(t, e, kAllocated);
    return Start(t, e);  // VM.START, VM.DYNAMIC.SCALE
  }

 private:
  static std::vector<IntervalRow*> Open(IntervalTable& t, const UsageEvent& e, int64_t type) {
    return t.FindOpen(
        {{"account_id", e.account_id}, {"vm_instance_id", *e.resource_id}, {"usage_type", type}});
  }

  // The offering and its shape (custom offerings' details) the event gives.
  static std::map<std::string, SqlValue> OfferingColumns(const UsageEvent& e) {
    return {{"service_offering_id", *e.offering_id},
            {"cpu_speed", NumericDetail(e, "cpuSpeed")},
            {"cpu_cores", NumericDetail(e, "cpuNumber")},
            {"memory", NumericDetail(e, "memory")}};
  }

  // Every column of a row the event opens, except its type and identity.
  static std::map<std::string, SqlValue> EventColumns(const UsageEvent& e) {
    auto values = OfferingColumns(e);
    values.insert({{"zone_id", e.zone_id},
                   {"vm_name", *e.resource_name},
                   {"template_id", *e.template_id},
                   {"hypervisor_type", Value(e.resource_type)}});
    return values;
  }

  static void Insert(IntervalTable& t, const UsageEvent& e, int64_t type) {
    auto values = EventColumns(e);
    values.insert({{"usage_type", type},
                   {"account_id", e.account_id},
                   {"vm_instance_id", *e.resource_id}});
    t.Insert(std::move(values), e.created);
  }

  ApplyOutcome Close(IntervalTable& t, const UsageEvent& e, int64_t type,
                     std::string_view what) const {
    auto open = Open(t, e, type);
    std::string why = CheckClosable(open, e.created, what);
    if (!why.empty()) {
      return ApplyOutcome::Quarantine(fmt::format("{} for VM {}: {}", e.type, *e.resource_id, why));
    }
    CloseAll(t, open, e.created);
    return ApplyOutcome::Applied();
  }

  // A restart writes VM.STOP and VM.START in the same second; when the START
  // got the lower id it has already ended the running interval at that
  // second and opened the next one. The STOP then belongs to the interval
  // that is already closed, and must not end the new one.
  ApplyOutcome Stop(IntervalTable& t, const UsageEvent& e) const {
    auto running = Open(t, e, kRunning);
    if (running.size() == 1 && running.front()->start == e.created) {
      auto all = t.Find({{"account_id", e.account_id},
                         {"vm_instance_id", *e.resource_id},
                         {"usage_type", kRunning}},
                        /*include_closed=*/true);
      for (IntervalRow* row : all) {
        if (row->end && *row->end == e.created && row != running.front()) {
          return ApplyOutcome::Healed(fmt::format(
              "VM.STOP for VM {} written after the VM.START of the same second: it ends the "
              "previous running interval (already ended), not the new one",
              *e.resource_id));
        }
      }
    }
    return Close(t, e, kRunning, "running interval");
  }

  ApplyOutcome Destroy(IntervalTable& t, const UsageEvent& e) const {
    ApplyOutcome outcome = Close(t, e, kAllocated, "allocation");
    if (outcome.kind == ApplyOutcome::Kind::kQuarantined) return outcome;
    // CloudStack expects a VM.STOP first; a VM destroyed while still counted
    // as running would otherwise be billed as running forever.
    auto running = Open(t, e, kRunning);
    if (!running.empty() && running.back()->start <= e.created) {
      CloseAll(t, running, e.created);
      return ApplyOutcome::Healed(fmt::format("VM {} was destroyed while running since {}: the "
                                              "running interval is closed too",
                                              *e.resource_id, FormatUtc(running.front()->start)));
    }
    return outcome;
  }

  // Closes the open rows of `type` (if any) and opens a new one at the event.
  ApplyOutcome Reopen(IntervalTable& t, const UsageEvent& e, int64_t type) const {
    auto open = Open(t, e, type);
    if (!open.empty() && open.back()->start == e.created && e.type == "VM.UPGRADE") {
      // Upgraded in the second the allocation began: it has the new offering
      // from its start. Closing it there and opening another at the same
      // second would give two rows with one start (CloudStack's unique key).
      t.SetValues(*open.back(), EventColumns(e));
      return ApplyOutcome::Applied();
    }
    if (!open.empty() && open.back()->start >= e.created) {
      return ApplyOutcome::Healed(fmt::format("VM {} already has an interval opened at {}",
                                              *e.resource_id, FormatUtc(open.back()->start)));
    }
    ApplyOutcome outcome = ApplyOutcome::Applied();
    if (!open.empty() && e.type == "VM.CREATE") {
      outcome = ApplyOutcome::Healed(fmt::format(
          "VM.CREATE for VM {} already allocated since {}: the old allocation is closed",
          *e.resource_id, FormatUtc(open.front()->start)));
    }
    CloseAll(t, open, e.created);
    Insert(t, e, type);
    return outcome;
  }

  ApplyOutcome Start(IntervalTable& t, const UsageEvent& e) const {
    auto running = Open(t, e, kRunning);
    if (!running.empty() && running.back()->start == e.created && e.type == "VM.DYNAMIC.SCALE") {
      // Scaled in the second the run began: the run has the new shape from its
      // start (a second row with that start would break the unique key).
      t.SetValues(*running.back(), EventColumns(e));
      MoveAllocation(t, e);
      return ApplyOutcome::Applied();
    }
    if (!running.empty() && running.back()->start >= e.created) {
      return ApplyOutcome::Healed(fmt::format("VM {} is already running since {}",
                                              *e.resource_id, FormatUtc(running.back()->start)));
    }
    ApplyOutcome outcome = ApplyOutcome::Applied();
    if (!running.empty() && e.type == "VM.START") {
      outcome = ApplyOutcome::Healed(fmt::format(
          "VM.START for VM {} running since {} without a VM.STOP: the running interval is "
          "closed and a new one opened",
          *e.resource_id, FormatUtc(running.front()->start)));
    }
    CloseAll(t, running, e.created);
    MoveAllocation(t, e);
    Insert(t, e, kRunning);
    return outcome;
  }

  // A VM started or scaled with another service offering changes its
  // allocation too, when it has exactly one (UsageManagerImpl.java:1112-1130,
  // 1229-1247). CloudStack rewrites that row in place: only the offering, its
  // details and the start change; the name, template, hypervisor and zone stay
  // those of the VM.CREATE or VM.UPGRADE that opened it. usaged keeps those
  // columns too, but ends the old row at the event instead of moving its start,
  // so the time already allocated under the old offering is still billed.
  static void MoveAllocation(IntervalTable& t, const UsageEvent& e) {
    auto allocated = Open(t, e, kAllocated);
    if (allocated.size() != 1) return;
    IntervalRow& row = *allocated.front();
    if (row.Int("service_offering_id") == *e.offering_id) return;
    // An allocation opened after this event (applied late) keeps its offering.
    if (row.start > e.created) return;
    if (row.start == e.created) {
      // Allocated in this very second: the new offering applies from its start.
      t.SetValues(row, OfferingColumns(e));
      return;
    }
    auto values = row.values;
    for (auto& [column, value] : OfferingColumns(e)) values[column] = value;
    t.Close(row, e.created);
    t.Insert(std::move(values), e.created);
  }
};

}  // namespace

std::unique_ptr<EventHandler> NewVmEventHandler() { return std::make_unique<VmEventHandler>(); }

}  // namespace usaged::ingest
