// TEMPLATE (7), ISO (8), SNAPSHOT (9) and VOLUME_SECONDARY (26) from
// usage_storage.
#include "core/usage_types.h"
#include "ingest/helper_tables.h"
#include "parse/interval_parser.h"
#include "parse/parsers.h"
#include "parse/readable_size.h"

namespace usaged::parse {
namespace {

namespace storage_type = ingest::storage_type;

struct StorageInfo {
  int64_t zone_id = 0;
  int64_t entity_id = 0;
  int64_t storage_type = 0;
  // CloudStack reads NULL source_id and virtual_size as 0 (ResultSet.getLong).
  int64_t source_id = 0;
  int64_t size = 0;
  int64_t virtual_size = 0;
};

class StorageParser final : public IntervalParser<StorageInfo> {
 public:
  StorageParser()
      : IntervalParser({"usage_storage", "created", "deleted",
                        "zone_id, entity_id, storage_type, source_id, size, virtual_size", ""}) {}
  std::string_view name() const override { return "storage"; }
  std::vector<int> usage_types() const override {
    return {usage_type::kTemplate, usage_type::kIso, usage_type::kSnapshot,
            usage_type::kVolumeSecondary};
  }

 protected:
  std::string ReadRow(store::Statement& q, StorageInfo& s) const override {
    s = {q.Int(1), q.Int(2), q.Int(3), q.OptInt(4).value_or(0), q.OptInt(5).value_or(0),
         q.OptInt(6).value_or(0)};
    // CloudStack's key: one record per object, zone and storage type; the
    // size and source of the latest row describe it.
    return fmt::format("{}Z{}T{}", s.entity_id, s.zone_id, s.storage_type);
  }
  int RecordType(const Group& g) const override {
    switch (g.last.storage_type) {
      case storage_type::kTemplate: return usage_type::kTemplate;
      case storage_type::kIso: return usage_type::kIso;
      case storage_type::kSnapshot: return usage_type::kSnapshot;
      default: return usage_type::kVolumeSecondary;
    }
  }
  int64_t ZoneOf(const Group& g) const override { return g.last.zone_id; }
  void Describe(const Group& g, UsageRecord& r) const override {
    const StorageInfo& s = g.last;
    r.usage_id = s.entity_id;
    r.size = s.size;
    r.virtual_size = s.virtual_size;
    std::string prefix = "Volume ";
    switch (s.storage_type) {
      case storage_type::kTemplate:
        prefix = "Template ";
        r.template_id = s.source_id;
        break;
      case storage_type::kIso:
        prefix = "ISO ";
        r.virtual_size = s.size;
        break;
      case storage_type::kSnapshot: prefix = "Snapshot "; break;
      default: break;
    }
    r.description =
        fmt::format("{}Id:{} Size:{}", prefix, s.entity_id, JavaHumanReadableSize(s.size));
    if (s.storage_type != storage_type::kSnapshot) {
      r.description += " VirtualSize: " + JavaHumanReadableSize(*r.virtual_size);
    }
  }
};

}  // namespace

std::unique_ptr<UsageParser> NewStorageParser() { return std::make_unique<StorageParser>(); }

}  // namespace usaged::parse
