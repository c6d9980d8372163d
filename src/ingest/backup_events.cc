// BACKUP.OFFERING.ASSIGN/REMOVE and BACKUP.USAGE.METRIC -> usage_backup
// (type 28).
#include "ingest/handler_util.h"
#include "ingest/handlers.h"
#include "ingest/helper_tables.h"

namespace usaged::ingest {
namespace {

class BackupEventHandler final : public EventHandler {
 public:
  std::string_view family() const override { return "backup"; }
  std::vector<std::string_view> event_types() const override {
    return {"BACKUP.OFFERING.ASSIGN", "BACKUP.OFFERING.REMOVE", "BACKUP.USAGE.METRIC"};
  }

  void Prefetch(const UsageEvent& e, PrefetchRequest& request) const override {
    if (e.resource_id) request.Want(kBackupTable, "vm_id", *e.resource_id);
  }

  ApplyOutcome Apply(HelperTables& tables, const UsageEvent& e,
                     const store::AccountRef& account) const override {
    if (!e.resource_id) return ApplyOutcome::Quarantine("no resource_id (the VM)");
    IntervalTable& t = tables.Get(kBackupTable);
    auto open = t.FindOpen({{"account_id", e.account_id}, {"vm_id", *e.resource_id}});
    if (e.type == "BACKUP.OFFERING.REMOVE") {
      std::string why = CheckClosable(open, e.created, "backup offering assignment");
      if (!why.empty()) return ApplyOutcome::Quarantine(why);
      CloseAll(t, open, e.created);
      return ApplyOutcome::Applied();
    }
    if (!e.offering_id) return ApplyOutcome::Quarantine("no offering_id (the backup offering)");
    if (!open.empty() && open.back()->start > e.created) {
      return ApplyOutcome::Quarantine(
          fmt::format("the VM's open backup interval starts at {}, after this event",
                      FormatUtc(open.back()->start)));
    }
    if (e.type == "BACKUP.USAGE.METRIC") return Metric(t, open, e);
    return Assign(t, open, e, account);
  }

 private:
  static ApplyOutcome Assign(IntervalTable& t, const std::vector<IntervalRow*>& open,
                             const UsageEvent& e, const store::AccountRef& account) {
    ApplyOutcome outcome = ApplyOutcome::Applied();
    if (!open.empty()) {
      if (open.back()->Int("backup_offering_id") == *e.offering_id) {
        return ApplyOutcome::Healed(fmt::format(
            "VM {} is already assigned to backup offering {} since {}; the repeated assignment "
            "is ignored",
            *e.resource_id, *e.offering_id, FormatUtc(open.back()->start)));
      }
      // CloudStack would bill both offerings from here on.
      outcome = ApplyOutcome::Healed(fmt::format(
          "VM {} moved from backup offering {} to {} without a REMOVE; the old one is ended",
          *e.resource_id, open.back()->Int("backup_offering_id"), *e.offering_id));
      CloseAll(t, open, e.created);
    }
    t.Insert({{"zone_id", e.zone_id},
              {"account_id", e.account_id},
              {"domain_id", account.domain_id},
              {"vm_id", *e.resource_id},
              {"backup_offering_id", *e.offering_id},
              {"size", int64_t{0}},
              {"protected_size", int64_t{0}}},
             e.created);
    return outcome;
  }

  // The backup provider's periodic sizes (size: backups, virtual_size: the
  // protected data). A change ends the interval at the old sizes and starts
  // one at the new sizes, so every hour is billed at the size it had and a
  // re-parse gives the same records. (CloudStack 4.21 overwrote the sizes of
  // some row of the VM in place, re-pricing its whole past.)
  static ApplyOutcome Metric(IntervalTable& t, const std::vector<IntervalRow*>& all_open,
                             const UsageEvent& e) {
    std::vector<IntervalRow*> open;
    for (IntervalRow* row : all_open) {
      if (row->Int("backup_offering_id") == *e.offering_id) open.push_back(row);
    }
    if (open.empty()) {
      return ApplyOutcome::Quarantine(fmt::format(
          "VM {} has no open assignment to backup offering {}", *e.resource_id, *e.offering_id));
    }
    const int64_t size = e.size.value_or(0), protected_size = e.virtual_size.value_or(0);
    const IntervalRow& last = *open.back();
    if (open.size() == 1 && last.Int("size") == size &&
        last.Int("protected_size") == protected_size) {
      return ApplyOutcome::NoEffect("backup sizes unchanged");
    }
    std::map<std::string, SqlValue> values = last.values;
    values["size"] = size;
    values["protected_size"] = protected_size;
    CloseAll(t, open, e.created);
    t.Insert(std::move(values), e.created);
    return ApplyOutcome::Applied();
  }
};

}  // namespace

std::unique_ptr<EventHandler> NewBackupEventHandler() {
  return std::make_unique<BackupEventHandler>();
}

}  // namespace usaged::ingest
