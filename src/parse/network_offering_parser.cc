// NETWORK_OFFERING (13) from usage_network_offering.
#include <fmt/format.h>

#include "core/usage_types.h"
#include "parse/interval_groups.h"
#include "parse/parsers.h"
#include "parse/time_record.h"

namespace usaged::parse {
namespace {

struct OfferingInfo {
  int64_t zone_id = 0;
  int64_t vm_id = 0;
  int64_t offering_id = 0;
  bool is_default = false;
};

constexpr std::string_view kQuery =
    "SELECT h.account_id, h.zone_id, h.vm_instance_id, h.network_offering_id, "
    "h.is_default, h.created, h.deleted "
    "FROM ${usage}.usage_network_offering h "
    "WHERE h.created < ? AND (h.deleted IS NULL OR h.deleted >= ?) "
    "AND (h.account_id % ?) = ?";

class NetworkOfferingParser final : public UsageParser {
 public:
  std::string_view name() const override { return "network_offering"; }
  std::vector<int> usage_types() const override { return {usage_type::kNetworkOffering}; }

  void Parse(store::Connection& conn, const ParseScope& scope,
             std::vector<UsageRecord>& out) const override {
    IntervalGroups<OfferingInfo> groups(scope.window, scope.hours_mode);
    auto& q = conn.Prepare(kQuery).Bind(scope.window.next, scope.window.start,
                                        scope.shard_count, scope.shard);
    while (q.Next()) {
      int64_t account = q.Int(0);
      const store::AccountRef* billable = scope.Billable(account);
      if (!billable) continue;
      OfferingInfo info{q.Int(1), q.Int(2), q.Int(3), q.Int(4) != 0};
      // CloudStack keys by VM and offering; the NIC is not part of the key.
      std::string key = fmt::format("{}-{}NO{}", account, info.vm_id, info.offering_id);
      groups.Add(key, account, billable->domain_id, q.Time(5), q.OptTime(6), info);
    }
    for (const auto& [key, g] : groups.groups()) {
      const OfferingInfo& last = g.last;
      UsageRecord r = NewTimeRecord(usage_type::kNetworkOffering, g.account_id, g.domain_id,
                                    last.zone_id, g.millis, scope.window, scope.hours_mode);
      r.description = fmt::format("Network offering:{} for Vm : {} usage time", last.offering_id,
                                  last.vm_id);
      r.vm_instance_id = last.vm_id;
      r.offering_id = last.offering_id;
      // CloudStack stores the default-NIC flag (1/0) in usage_id for this type.
      r.usage_id = last.is_default ? 1 : 0;
      Finish(r);
      out.push_back(std::move(r));
    }
  }
};

}  // namespace

std::unique_ptr<UsageParser> NewNetworkOfferingParser() {
  return std::make_unique<NetworkOfferingParser>();
}

}  // namespace usaged::parse
