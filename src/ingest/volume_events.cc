// VOLUME.CREATE/RESIZE/DELETE -> usage_volume (and the end of an uploaded
// volume's usage_storage interval).
#include "ingest/handler_util.h"
#include "ingest/handlers.h"
#include "ingest/helper_tables.h"

namespace usaged::ingest {
namespace {

class VolumeEventHandler final : public EventHandler {
 public:
  std::string_view family() const override { return "volume"; }
  std::vector<std::string_view> event_types() const override {
    return {"VOLUME.CREATE", "VOLUME.RESIZE", "VOLUME.DELETE"};
  }

  void Prefetch(const UsageEvent& e, PrefetchRequest& request) const override {
    if (!e.resource_id) return;
    request.Want(kVolumeTable, "volume_id", *e.resource_id);
    if (e.type != "VOLUME.RESIZE") request.Want(kStorageTable, "entity_id", *e.resource_id);
  }

  ApplyOutcome Apply(HelperTables& tables, const UsageEvent& e,
                     const store::AccountRef& account) const override {
    if (!e.resource_id) return ApplyOutcome::Quarantine("no resource_id (the volume)");
    const int64_t volume = *e.resource_id;
    IntervalTable& t = tables.Get(kVolumeTable);
    auto open = t.FindOpen({{"account_id", e.account_id}, {"volume_id", volume}});

    if (e.type == "VOLUME.DELETE") {
      // An uploaded volume deleted before it was ever attached ends its
      // VOLUME_SECONDARY interval (CloudStack keeps billing it).
      IntervalTable& storage = tables.Get(kStorageTable);
      auto uploaded = storage.FindOpen({{"account_id", e.account_id},
                                        {"entity_id", volume},
                                        {"storage_type", storage_type::kVolume}});
      if (open.empty() && !uploaded.empty() &&
          CheckClosable(uploaded, e.created, "uploaded volume").empty()) {
        CloseAll(storage, uploaded, e.created);
        return ApplyOutcome::Applied();
      }
      std::string why = CheckClosable(open, e.created, "volume interval");
      if (!why.empty()) return ApplyOutcome::Quarantine(why);
      CloseAll(t, open, e.created);
      return ApplyOutcome::Applied();
    }

    // CREATE and RESIZE both (re)open the volume's interval with the event's
    // offering, template and size; RESIZE closes the previous size first.
    if (!open.empty() && open.back()->start > e.created) {
      return ApplyOutcome::Quarantine(fmt::format(
          "the volume's open interval starts at {}, after this event",
          FormatUtc(open.back()->start)));
    }
    if (!open.empty() && open.back()->start == e.created && e.type == "VOLUME.RESIZE") {
      // Resized in the second the volume's row began: the row has the new
      // size from its start (a second row with that start would break the
      // unique key (volume_id, created)).
      t.SetValues(*open.back(), {{"zone_id", e.zone_id},
                                 {"disk_offering_id", Value(e.offering_id)},
                                 {"template_id", Value(e.template_id)},
                                 {"size", Value(e.size)}});
      return ApplyOutcome::Applied();
    }
    if (!open.empty() && open.back()->start == e.created) {
      return ApplyOutcome::Healed(fmt::format("volume {} already has an interval opened at {}",
                                              volume, FormatUtc(e.created)));
    }
    ApplyOutcome outcome = ApplyOutcome::Applied();
    if (e.type == "VOLUME.CREATE") {
      // An uploaded volume (VOLUME_SECONDARY) stops being billed as such once
      // it is created on primary storage.
      IntervalTable& storage = tables.Get(kStorageTable);
      CloseAll(storage,
               storage.FindOpen({{"account_id", e.account_id},
                                 {"entity_id", volume},
                                 {"storage_type", storage_type::kVolume}}),
               e.created);
      if (!open.empty()) {
        outcome = ApplyOutcome::Healed(fmt::format(
            "VOLUME.CREATE for volume {} which was open since {}: the old interval is closed",
            volume, FormatUtc(open.front()->start)));
      }
    }
    CloseAll(t, open, e.created);
    t.Insert({{"volume_id", volume},
              {"zone_id", e.zone_id},
              {"account_id", e.account_id},
              {"domain_id", account.domain_id},
              {"disk_offering_id", Value(e.offering_id)},
              {"template_id", Value(e.template_id)},
              {"size", Value(e.size)}},
             e.created);
    return outcome;
  }
};

}  // namespace

std::unique_ptr<EventHandler> NewVolumeEventHandler() {
  return std::make_unique<VolumeEventHandler>();
}

}  // namespace usaged::ingest
