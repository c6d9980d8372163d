// BACKUP.OFFERING.ASSIGN, BACKUP.OFFERING.BACKUPS.DEL (and the older
// BACKUP.OFFERING.REMOVE) and BACKUP.USAGE.METRIC -> usage_backup (type 28).
//
// A row is one VM's assignment to one backup offering while its sizes stay
// the same. A VM can have rows of several offerings open at once: removing a
// VM from an offering publishes no usage event while backups of that offering
// remain, and those backups are billed (and metered) until the last one is
// deleted (.DEL), even if the VM is meanwhile assigned to another offering.
#include "ingest/handler_util.h"
#include "ingest/handlers.h"
#include "ingest/helper_tables.h"

namespace usaged::ingest {
namespace {

constexpr std::string_view kAssign = "BACKUP.OFFERING.ASSIGN";
// What CloudStack 4.21 publishes when the backups of an offering are gone.
constexpr std::string_view kBackupsDeleted = "BACKUP.OFFERING.BACKUPS.DEL";
// What servers before 4.21 published when a VM left its offering.
constexpr std::string_view kLegacyRemove = "BACKUP.OFFERING.REMOVE";
constexpr std::string_view kMetric = "BACKUP.USAGE.METRIC";

class BackupEventHandler final : public EventHandler {
 public:
  std::string_view family() const override { return "backup"; }
  std::vector<std::string_view> event_types() const override {
    return {kAssign, kBackupsDeleted, kLegacyRemove, kMetric};
  }

  void Prefetch(const UsageEvent& e, PrefetchRequest& request) const override {
    if (e.resource_id) request.Want(kBackupTable, "vm_id", *e.resource_id);
  }

  ApplyOutcome Apply(HelperTables& tables, const UsageEvent& e,
                     const store::AccountRef& account) const override {
    if (!e.resource_id) return ApplyOutcome::Quarantine("no resource_id (the VM)");
    IntervalTable& t = tables.Get(kBackupTable);
    if (e.type == kLegacyRemove) return LegacyRemove(t, e);
    if (!e.offering_id) return ApplyOutcome::Quarantine("no offering_id (the backup offering)");
    auto open = t.FindOpen({{"account_id", e.account_id},
                            {"vm_id", *e.resource_id},
                            {"backup_offering_id", *e.offering_id}});
    if (!open.empty() && open.back()->start > e.created) {
      return ApplyOutcome::Quarantine(fmt::format(
          "the VM's open assignment to backup offering {} starts at {}, after this event",
          *e.offering_id, FormatUtc(open.back()->start)));
    }
    if (e.type == kMetric) return Metric(t, open, e);
    if (e.type == kBackupsDeleted) return BackupsDeleted(t, open, e);
    return Assign(t, open, e, account);
  }

 private:
  // The older servers' removal ends every open assignment of the VM, as their
  // usage server did (one UPDATE on account and VM).
  static ApplyOutcome LegacyRemove(IntervalTable& t, const UsageEvent& e) {
    auto open = t.FindOpen({{"account_id", e.account_id}, {"vm_id", *e.resource_id}});
    std::string why = CheckClosable(open, e.created, "backup offering assignment");
    if (!why.empty()) return ApplyOutcome::Quarantine(why);
    CloseAll(t, open, e.created);
    return ApplyOutcome::Applied();
  }

  // The last backup of the offering is gone: its assignment ends. An
  // assignment already ended (by a REMOVE of an older server, which a .DEL
  // can follow after an upgrade) is not an error.
  static ApplyOutcome BackupsDeleted(IntervalTable& t, const std::vector<IntervalRow*>& open,
                                     const UsageEvent& e) {
    if (open.empty()) {
      return ApplyOutcome::NoEffect(fmt::format(
          "VM {} has no open assignment to backup offering {}", *e.resource_id, *e.offering_id));
    }
    CloseAll(t, open, e.created);
    return ApplyOutcome::Applied();
  }

  // Assignments to other offerings stay open (their backups still exist).
  static ApplyOutcome Assign(IntervalTable& t, const std::vector<IntervalRow*>& open,
                             const UsageEvent& e, const store::AccountRef& account) {
    if (!open.empty()) {
      // CloudStack would open a second row and bill the VM twice.
      return ApplyOutcome::Healed(fmt::format(
          "VM {} is already assigned to backup offering {} since {}; the repeated assignment "
          "is ignored",
          *e.resource_id, *e.offering_id, FormatUtc(open.back()->start)));
    }
    t.Insert({{"zone_id", e.zone_id},
              {"account_id", e.account_id},
              {"domain_id", account.domain_id},
              {"vm_id", *e.resource_id},
              {"backup_offering_id", *e.offering_id},
              {"size", int64_t{0}},
              {"protected_size", int64_t{0}}},
             e.created);
    return ApplyOutcome::Applied();
  }

  // The backup framework's periodic sizes of the VM's backups of one offering
  // (size: the backups, virtual_size: the protected data). A change ends the
  // row at the old sizes and starts one at the new sizes, so the helper table
  // keeps each size with the time it held and a re-parse gives the same
  // records; the parser decides how a window prices them (docs/usage-types.md).
  // The sync task repeats metrics every few minutes and may send one after
  // the .DEL it raced with: a metric for no open assignment changes nothing,
  // as in CloudStack.
  static ApplyOutcome Metric(IntervalTable& t, const std::vector<IntervalRow*>& open,
                             const UsageEvent& e) {
    if (open.empty()) {
      return ApplyOutcome::NoEffect(fmt::format(
          "VM {} has no open assignment to backup offering {}", *e.resource_id, *e.offering_id));
    }
    const int64_t size = e.size.value_or(0), protected_size = e.virtual_size.value_or(0);
    IntervalRow& last = *open.back();
    if (open.size() == 1 && last.Int("size") == size &&
        last.Int("protected_size") == protected_size) {
      return ApplyOutcome::NoEffect("backup sizes unchanged");
    }
    std::map<std::string, SqlValue> sizes = {{"size", size}, {"protected_size", protected_size}};
    if (open.size() == 1 && last.start == e.created) {
      // Sizes sent at the row's own start: no time was billed at the old ones.
      t.SetValues(last, sizes);
      return ApplyOutcome::Applied();
    }
    std::map<std::string, SqlValue> values = last.values;
    for (auto& [column, value] : sizes) values[column] = value;
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
