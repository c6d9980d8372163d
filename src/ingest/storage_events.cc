// TEMPLATE.*, ISO.*, SNAPSHOT.* and VOLUME.UPLOAD -> usage_storage (types 7,
// 8, 9 and 26).
#include "ingest/handler_util.h"
#include "ingest/handlers.h"
#include "ingest/helper_tables.h"

namespace usaged::ingest {
namespace {

// CloudStack's "all zones" marker on a TEMPLATE.DELETE / ISO.DELETE.
constexpr int64_t kAllZones = -1;

class StorageEventHandler final : public EventHandler {
 public:
  explicit StorageEventHandler(bool snapshot_virtual_size)
      : snapshot_virtual_size_(snapshot_virtual_size) {}

  std::string_view family() const override { return "storage"; }
  std::vector<std::string_view> event_types() const override {
    return {"TEMPLATE.CREATE", "TEMPLATE.COPY",   "TEMPLATE.DELETE", "ISO.CREATE",
            "ISO.COPY",        "ISO.DELETE",      "SNAPSHOT.CREATE", "SNAPSHOT.DELETE",
            "VOLUME.UPLOAD"};
  }

  void Prefetch(const UsageEvent& e, PrefetchRequest& request) const override {
    if (e.resource_id) request.Want(kStorageTable, "entity_id", *e.resource_id);
  }

  ApplyOutcome Apply(HelperTables& tables, const UsageEvent& e,
                     const store::AccountRef& account) const override {
    if (!e.resource_id) return ApplyOutcome::Quarantine("no resource_id (the stored object)");
    IntervalTable& t = tables.Get(kStorageTable);
    const std::string_view type = e.type;
    if (type == "VOLUME.UPLOAD") return Upload(t, e, account);
    if (type == "SNAPSHOT.CREATE") return CreateSnapshot(t, e, account);
    if (type == "SNAPSHOT.DELETE") {
      // A snapshot is deleted in every zone it was copied to.
      return CloseOpen(t, e, {{"account_id", e.account_id},
                              {"entity_id", *e.resource_id},
                              {"storage_type", storage_type::kSnapshot}});
    }
    const bool is_template = type.substr(0, 9) == "TEMPLATE.";
    const int64_t kind = is_template ? storage_type::kTemplate : storage_type::kIso;
    if (type.size() > 7 && type.substr(type.size() - 7) == ".DELETE") {
      std::map<std::string, SqlValue> match = {
          {"account_id", e.account_id}, {"entity_id", *e.resource_id}, {"storage_type", kind}};
      if (e.zone_id != kAllZones) match["zone_id"] = e.zone_id;
      return CloseOpen(t, e, match);
    }
    return CreateImage(t, e, account, is_template);
  }

 private:
  // TEMPLATE.CREATE/COPY and ISO.CREATE/COPY: one interval per image and zone.
  static ApplyOutcome CreateImage(IntervalTable& t, const UsageEvent& e,
                                  const store::AccountRef& account, bool is_template) {
    if (!e.size || (is_template && *e.size < 1)) {
      return ApplyOutcome::Quarantine(fmt::format(
          "{} without a usable size ({})", e.type, e.size ? std::to_string(*e.size) : "none"));
    }
    if (e.zone_id == kAllZones) return ApplyOutcome::Quarantine("no zone for the image");
    const int64_t kind = is_template ? storage_type::kTemplate : storage_type::kIso;
    auto open = t.FindOpen({{"account_id", e.account_id},
                            {"entity_id", *e.resource_id},
                            {"storage_type", kind},
                            {"zone_id", e.zone_id}});
    if (!open.empty()) {
      // CloudStack also keeps the first interval (and warns).
      return ApplyOutcome::Healed(fmt::format("{} {} is already stored in zone {} since {}; the "
                                              "repeated {} is ignored",
                                              is_template ? "template" : "ISO", *e.resource_id,
                                              e.zone_id, FormatUtc(open.front()->start), e.type));
    }
    // A template keeps its source template; an ISO's virtual size is its size.
    t.Insert({{"entity_id", *e.resource_id},
              {"zone_id", e.zone_id},
              {"account_id", e.account_id},
              {"domain_id", account.domain_id},
              {"storage_type", kind},
              {"source_id", is_template ? Value(e.template_id) : SqlValue{}},
              {"size", *e.size},
              {"virtual_size", is_template ? Value(e.virtual_size) : SqlValue{*e.size}}},
             e.created);
    return ApplyOutcome::Applied();
  }

  ApplyOutcome CreateSnapshot(IntervalTable& t, const UsageEvent& e,
                              const store::AccountRef& account) const {
    // usage.snapshot.virtualsize.select bills the snapshot's virtual size.
    const std::optional<int64_t> size = snapshot_virtual_size_ ? e.virtual_size : e.size;
    if (!size) {
      return ApplyOutcome::Quarantine(fmt::format(
          "SNAPSHOT.CREATE without {}", snapshot_virtual_size_ ? "virtual_size" : "size"));
    }
    auto open = t.FindOpen({{"account_id", e.account_id},
                            {"entity_id", *e.resource_id},
                            {"storage_type", storage_type::kSnapshot},
                            {"zone_id", e.zone_id}});
    if (!open.empty()) {
      // The Java server opens a second row here and bills the snapshot twice.
      return ApplyOutcome::Healed(fmt::format(
          "snapshot {} is already stored in zone {} since {}; the repeated SNAPSHOT.CREATE is "
          "ignored",
          *e.resource_id, e.zone_id, FormatUtc(open.front()->start)));
    }
    t.Insert({{"entity_id", *e.resource_id},
              {"zone_id", e.zone_id},
              {"account_id", e.account_id},
              {"domain_id", account.domain_id},
              {"storage_type", storage_type::kSnapshot},
              {"size", *size}},
             e.created);
    return ApplyOutcome::Applied();
  }

  // VOLUME.UPLOAD: the volume is billed on secondary storage until a
  // VOLUME.CREATE puts it on primary storage (volume_events.cc).
  static ApplyOutcome Upload(IntervalTable& t, const UsageEvent& e,
                             const store::AccountRef& account) {
    if (!e.size) return ApplyOutcome::Quarantine("VOLUME.UPLOAD without a size");
    auto open = t.FindOpen({{"account_id", e.account_id},
                            {"entity_id", *e.resource_id},
                            {"storage_type", storage_type::kVolume}});
    ApplyOutcome outcome = ApplyOutcome::Applied();
    if (!open.empty()) {
      if (open.back()->start >= e.created) {
        return open.back()->start == e.created
                   ? ApplyOutcome::Healed("the uploaded volume already has an interval opened "
                                          "at this time; the repeated upload is ignored")
                   : ApplyOutcome::Quarantine(fmt::format(
                         "the uploaded volume's open interval starts at {}, after this event",
                         FormatUtc(open.back()->start)));
      }
      outcome = ApplyOutcome::Healed(fmt::format(
          "volume {} was uploaded again; the upload open since {} is closed", *e.resource_id,
          FormatUtc(open.front()->start)));
      CloseAll(t, open, e.created);
    }
    t.Insert({{"entity_id", *e.resource_id},
              {"zone_id", e.zone_id},
              {"account_id", e.account_id},
              {"domain_id", account.domain_id},
              {"storage_type", storage_type::kVolume},
              {"source_id", Value(e.template_id)},
              {"size", *e.size}},
             e.created);
    return outcome;
  }

  static ApplyOutcome CloseOpen(IntervalTable& t, const UsageEvent& e,
                                const std::map<std::string, SqlValue>& match) {
    auto open = t.FindOpen(match);
    std::string why = CheckClosable(open, e.created, "storage interval");
    if (!why.empty()) return ApplyOutcome::Quarantine(why);
    CloseAll(t, open, e.created);
    return ApplyOutcome::Applied();
  }

  bool snapshot_virtual_size_;
};

}  // namespace

std::unique_ptr<EventHandler> NewStorageEventHandler(bool snapshot_virtual_size) {
  return std::make_unique<StorageEventHandler>(snapshot_virtual_size);
}

}  // namespace usaged::ingest
