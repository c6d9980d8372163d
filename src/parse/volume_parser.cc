// VOLUME (6) from usage_volume.
#include "core/usage_types.h"
#include "parse/interval_parser.h"
#include "parse/parsers.h"

namespace usaged::parse {
namespace {

struct VolumeInfo {
  int64_t zone_id = 0;
  int64_t volume_id = 0;
  std::optional<int64_t> disk_offering_id;
  std::optional<int64_t> template_id;
  int64_t size = 0;
};

std::optional<int64_t> NoneIfZero(std::optional<int64_t> id) {
  return id == 0 ? std::nullopt : id;
}

class VolumeParser final : public IntervalParser<VolumeInfo> {
 public:
  VolumeParser()
      : IntervalParser({"usage_volume", "created", "deleted",
                        "zone_id, volume_id, disk_offering_id, template_id, size", ""},
                       DescribedBy::kQueriedRows) {}
  std::string_view name() const override { return "volume"; }
  std::vector<int> usage_types() const override { return {usage_type::kVolume}; }

 protected:
  std::string ReadRow(store::Statement& q, VolumeInfo& v) const override {
    // As CloudStack reads usage_volume (UsageVolumeDaoImpl.java:145-153): a
    // disk offering or template of 0 means none, and a NULL size counts as 0.
    v = {q.Int(1), q.Int(2), NoneIfZero(q.OptInt(3)), NoneIfZero(q.OptInt(4)),
         q.OptInt(5).value_or(0)};
    return fmt::format("{}-{}-{}", v.volume_id, KeyPart(v.disk_offering_id), v.size);
  }
  int RecordType(const Group&) const override { return usage_type::kVolume; }
  int64_t ZoneOf(const Group& g) const override { return g.last.zone_id; }
  void Describe(const Group& g, UsageRecord& r) const override {
    const VolumeInfo& last = g.last;
    r.description = fmt::format("Volume Id: {} usage time", last.volume_id);
    if (last.template_id) {
      r.description += fmt::format(" (Template: {})", *last.template_id);
    } else if (last.disk_offering_id) {
      r.description += fmt::format(" (DiskOffering: {})", *last.disk_offering_id);
    }
    r.offering_id = last.disk_offering_id;
    r.template_id = last.template_id;
    r.usage_id = last.volume_id;
    r.size = last.size;
  }
};

}  // namespace

std::unique_ptr<UsageParser> NewVolumeParser() { return std::make_unique<VolumeParser>(); }

}  // namespace usaged::parse
