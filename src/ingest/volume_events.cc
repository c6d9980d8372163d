// VOLUME.CREATE/RESIZE/DELETE -> usage_volume.
#include "ingest/handlers.h"
#include "ingest/interval_ops.h"

namespace usaged::ingest {
namespace {

const IntervalTable kVolumes{"usage_volume", "created", "deleted", "account_id = ? AND volume_id = ?"};
constexpr int kStorageTypeVolume = 4;

class VolumeEventHandler final : public EventHandler {
 public:
  std::string_view family() const override { return "volume"; }
  std::vector<std::string_view> event_types() const override {
    return {"VOLUME.CREATE", "VOLUME.RESIZE", "VOLUME.DELETE"};
  }

  ApplyOutcome Apply(store::Connection& conn, const UsageEvent& e,
                     const AccountRef& account) const override {
    if (!e.resource_id) return ApplyOutcome::Quarantine("no resource_id (the volume)");
    const int64_t volume = *e.resource_id;
    auto open = OpenIntervalStarts(conn, kVolumes, e.account_id, volume);

    if (e.type == "VOLUME.DELETE") {
      std::string why = CheckClosable(open, e.created, "volume interval");
      if (!why.empty()) return ApplyOutcome::Quarantine(why);
      CloseOpenIntervals(conn, kVolumes, e.created, e.account_id, volume);
      return ApplyOutcome::Applied();
    }

    // CREATE and RESIZE both (re)open the volume's interval with the event's
    // offering, template and size; RESIZE closes the previous size first.
    if (!open.empty() && open.back() > e.created) {
      return ApplyOutcome::Quarantine(fmt::format(
          "the volume's open interval starts at {}, after this event", FormatUtc(open.back())));
    }
    if (!open.empty() && open.back() == e.created) {
      return ApplyOutcome::Healed(fmt::format("volume {} already has an interval opened at {}",
                                              volume, FormatUtc(e.created)));
    }
    ApplyOutcome outcome = ApplyOutcome::Applied();
    if (e.type == "VOLUME.CREATE") {
      // An uploaded volume (VOLUME_SECONDARY) stops being billed as such once
      // it is created on primary storage.
      conn.Run(
          "UPDATE ${usage}.usage_storage SET deleted = ? WHERE account_id = ? AND entity_id = ? AND "
          "storage_type = ? AND deleted IS NULL",
          e.created, e.account_id, volume, kStorageTypeVolume);
      if (!open.empty()) {
        outcome = ApplyOutcome::Healed(fmt::format(
            "VOLUME.CREATE for volume {} which was open since {}: the old interval is closed",
            volume, FormatUtc(open.front())));
      }
    }
    CloseOpenIntervals(conn, kVolumes, e.created, e.account_id, volume);
    conn.Run(
        "INSERT INTO ${usage}.usage_volume (volume_id, zone_id, account_id, domain_id, "
        "disk_offering_id, template_id, size, created, deleted) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, NULL)",
        volume, e.zone_id, e.account_id, account.domain_id, e.offering_id, e.template_id, e.size,
        e.created);
    return outcome;
  }
};

}  // namespace

std::unique_ptr<EventHandler> NewVolumeEventHandler() {
  return std::make_unique<VolumeEventHandler>();
}

}  // namespace usaged::ingest
