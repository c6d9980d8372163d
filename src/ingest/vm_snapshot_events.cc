// VMSNAPSHOT.CREATE/DELETE -> usage_vmsnapshot (type 25) and
// VMSNAPSHOT.ON_PRIMARY/OFF_PRIMARY -> usage_snapshot_on_primary (type 27).
#include <algorithm>
#include <charconv>

#include "ingest/handler_util.h"
#include "ingest/handlers.h"
#include "ingest/helper_tables.h"

namespace usaged::ingest {
namespace {

// The vmSnapshotId detail: nullopt when absent; an error text when it is not a
// number (CloudStack's Long.valueOf would abort the whole run).
std::optional<int64_t> SnapshotId(const UsageEvent& e, std::string& error) {
  auto text = e.Detail("vmSnapshotId");
  if (!text || text->empty()) return std::nullopt;
  int64_t id = 0;
  auto [end, ec] = std::from_chars(text->data(), text->data() + text->size(), id);
  if (ec != std::errc() || end != text->data() + text->size()) {
    error = fmt::format("detail vmSnapshotId '{}' is not a number", *text);
    return std::nullopt;
  }
  return id;
}

class VmSnapshotEventHandler final : public EventHandler {
 public:
  std::string_view family() const override { return "vm_snapshot"; }
  std::vector<std::string_view> event_types() const override {
    return {"VMSNAPSHOT.CREATE", "VMSNAPSHOT.DELETE", "VMSNAPSHOT.ON_PRIMARY",
            "VMSNAPSHOT.OFF_PRIMARY"};
  }

  void Prefetch(const UsageEvent& e, PrefetchRequest& request) const override {
    if (!e.resource_id) return;
    if (e.type == "VMSNAPSHOT.CREATE" || e.type == "VMSNAPSHOT.DELETE") {
      request.Want(kVmSnapshotTable, "vm_id", *e.resource_id);
    } else {
      request.Want(kSnapshotOnPrimaryTable, "vm_id", *e.resource_id);
    }
  }

  ApplyOutcome Apply(HelperTables& tables, const UsageEvent& e,
                     const store::AccountRef& account) const override {
    if (!e.resource_id) return ApplyOutcome::Quarantine("no resource_id (the VM)");
    std::string error;
    std::optional<int64_t> snapshot = SnapshotId(e, error);
    if (!error.empty()) return ApplyOutcome::Quarantine(error);
    if (e.type == "VMSNAPSHOT.CREATE" || e.type == "VMSNAPSHOT.DELETE") {
      return ChainSize(tables.Get(kVmSnapshotTable), e, account, snapshot);
    }
    return OnPrimary(tables.Get(kSnapshotOnPrimaryTable), e, account, snapshot);
  }

 private:
  // Each CREATE and DELETE carries the size of one volume's snapshot chain
  // after the change (template_id holds the volume). The chain's previous size
  // ends at the event and the new size starts there. CloudStack's DELETE only
  // marks the rows processed, so the snapshots that remain stop being billed;
  // usaged keeps billing them at the size the event reports, and a DELETE
  // that leaves nothing opens nothing.
  //
  // A CREATE always adds a row, as CloudStack's does, even with a chain size
  // of 0: a size-0 row that ends a non-zero chain is only there to name the
  // ended part (CloudStack labels it with the newer snapshot's id), so it is
  // closed at once; one that ends nothing stays open and is billed at size 0
  // while it lasts (see the parser).
  static ApplyOutcome ChainSize(IntervalTable& t, const UsageEvent& e,
                                const store::AccountRef& account,
                                std::optional<int64_t> snapshot) {
    if (!e.template_id) return ApplyOutcome::Quarantine("no template_id (the volume)");
    // CloudStack reads a missing size as 0; a negative one never gets here
    // (the event applier quarantines it).
    const int64_t size = e.size.value_or(0);
    auto open = t.FindOpen(
        {{"account_id", e.account_id}, {"vm_id", *e.resource_id}, {"volume_id", *e.template_id}});
    const bool is_delete = e.type == "VMSNAPSHOT.DELETE";
    if (is_delete && open.empty()) {
      return ApplyOutcome::Quarantine(fmt::format(
          "no snapshot chain of VM {} volume {} to delete from", *e.resource_id, *e.template_id));
    }
    if (!open.empty() && open.back()->start >= e.created) {
      return ApplyOutcome::Quarantine(
          fmt::format("the chain's open interval starts at {}, not before this event",
                      FormatUtc(open.back()->start)));
    }
    std::optional<int64_t> label = snapshot;
    if (is_delete) label = open.back()->OptInt("vm_snapshot_id");  // the chain keeps its name
    const bool ends_sized_chain = std::any_of(
        open.begin(), open.end(), [](const IntervalRow* row) { return row->Int("size") != 0; });
    CloseAll(t, open, e.created);
    if (is_delete && size == 0) return ApplyOutcome::Applied();
    IntervalRow& row = t.Insert({{"volume_id", *e.template_id},
                                 {"zone_id", e.zone_id},
                                 {"account_id", e.account_id},
                                 {"domain_id", account.domain_id},
                                 {"vm_id", *e.resource_id},
                                 {"disk_offering_id", Value(e.offering_id)},
                                 {"size", size},
                                 {"vm_snapshot_id", Value(label)}},
                                e.created);
    if (size == 0 && ends_sized_chain) t.Close(row, e.created);
    return ApplyOutcome::Applied();
  }

  // ON_PRIMARY opens the space one VM snapshot takes on primary storage
  // (resource_name is the snapshot's name); OFF_PRIMARY closes it.
  static ApplyOutcome OnPrimary(IntervalTable& t, const UsageEvent& e,
                                const store::AccountRef& account,
                                std::optional<int64_t> snapshot) {
    if (!e.resource_name) return ApplyOutcome::Quarantine("no resource_name (the VM snapshot)");
    auto open = t.FindOpen(
        {{"account_id", e.account_id}, {"vm_id", *e.resource_id}, {"name", *e.resource_name}});
    if (e.type == "VMSNAPSHOT.OFF_PRIMARY") {
      std::string why = CheckClosable(open, e.created, "VM snapshot on primary");
      if (!why.empty()) return ApplyOutcome::Quarantine(why);
      CloseAll(t, open, e.created);
      return ApplyOutcome::Applied();
    }
    if (!open.empty()) {
      return ApplyOutcome::Healed(fmt::format("VM snapshot '{}' of VM {} is already on primary "
                                              "since {}; the repeated ON_PRIMARY is ignored",
                                              *e.resource_name, *e.resource_id,
                                              FormatUtc(open.front()->start)));
    }
    t.Insert({{"volume_id", *e.resource_id},
              {"zone_id", e.zone_id},
              {"account_id", e.account_id},
              {"domain_id", account.domain_id},
              {"vm_id", *e.resource_id},
              {"name", *e.resource_name},
              {"type", int64_t{0}},
              {"physicalsize", e.size.value_or(0)},
              {"virtualsize", e.virtual_size.value_or(0)},
              {"vm_snapshot_id", Value(snapshot)}},
             e.created);
    return ApplyOutcome::Applied();
  }
};

}  // namespace

std::unique_ptr<EventHandler> NewVmSnapshotEventHandler() {
  return std::make_unique<VmSnapshotEventHandler>();
}

}  // namespace usaged::ingest
