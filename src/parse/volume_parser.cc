// VOLUME (6) from usage_volume.
#include <fmt/format.h>

#include "core/usage_types.h"
#include "parse/interval_groups.h"
#include "parse/parsers.h"
#include "parse/time_record.h"

namespace usaged::parse {
namespace {

struct VolumeInfo {
  int64_t zone_id = 0;
  int64_t volume_id = 0;
  std::optional<int64_t> disk_offering_id;
  std::optional<int64_t> template_id;
  int64_t size = 0;
};

std::string OptText(const std::optional<int64_t>& v) { return v ? std::to_string(*v) : "null"; }

constexpr std::string_view kQuery =
    "SELECT h.account_id, h.zone_id, h.volume_id, h.disk_offering_id, h.template_id, "
    "h.size, h.created, h.deleted "
    "FROM ${usage}.usage_volume h "
    "WHERE h.created < ? AND (h.deleted IS NULL OR h.deleted >= ?) "
    "AND (h.account_id % ?) = ?";

class VolumeParser final : public UsageParser {
 public:
  std::string_view name() const override { return "volume"; }
  std::vector<int> usage_types() const override { return {usage_type::kVolume}; }

  void Parse(store::Connection& conn, const ParseScope& scope,
             std::vector<UsageRecord>& out) const override {
    IntervalGroups<VolumeInfo> groups(scope.window, scope.hours_mode);
    auto& q = conn.Prepare(kQuery).Bind(scope.window.next, scope.window.start,
                                        scope.shard_count, scope.shard);
    while (q.Next()) {
      int64_t account = q.Int(0);
      const store::AccountRef* billable = scope.Billable(account);
      if (!billable) continue;
      // A NULL size counts as 0, as in CloudStack (the column is read as long).
      VolumeInfo info{q.Int(1), q.Int(2), q.OptInt(3), q.OptInt(4), q.OptInt(5).value_or(0)};
      std::string key = fmt::format("{}-{}-{}-{}", account, info.volume_id,
                                    OptText(info.disk_offering_id), info.size);
      groups.Add(key, account, billable->domain_id, q.Time(6), q.OptTime(7), info);
    }
    for (const auto& [key, g] : groups.groups()) {
      const VolumeInfo& last = g.last;
      UsageRecord r = NewTimeRecord(usage_type::kVolume, g.account_id, g.domain_id, last.zone_id,
                                    g.millis, scope.window, scope.hours_mode);
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
      Finish(r);
      out.push_back(std::move(r));
    }
  }
};

}  // namespace

std::unique_ptr<UsageParser> NewVolumeParser() { return std::make_unique<VolumeParser>(); }

}  // namespace usaged::parse
