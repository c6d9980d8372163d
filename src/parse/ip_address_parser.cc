// IP_ADDRESS (3) from usage_ip_address.
#include <fmt/format.h>

#include "core/usage_types.h"
#include "parse/interval_groups.h"
#include "parse/parsers.h"
#include "parse/time_record.h"

namespace usaged::parse {
namespace {

struct IpInfo {
  int64_t zone_id = 0;
  int64_t ip_id = 0;
  std::string address;
  bool source_nat = false;
  bool system = false;
  bool hidden = false;
};

constexpr std::string_view kQuery =
    "SELECT h.account_id, h.zone_id, h.ip_id, h.public_ip_address, h.is_source_nat, "
    "h.is_system, h.is_hidden, h.assigned, h.released "
    "FROM ${usage}.usage_ip_address h "
    "WHERE h.assigned < ? AND (h.released IS NULL OR h.released >= ?) "
    "AND (h.account_id % ?) = ?";

class IpAddressParser final : public UsageParser {
 public:
  std::string_view name() const override { return "ip_address"; }
  std::vector<int> usage_types() const override { return {usage_type::kIpAddress}; }

  void Parse(store::Connection& conn, const ParseScope& scope,
             std::vector<UsageRecord>& out) const override {
    IntervalGroups<IpInfo> groups(scope.window, scope.hours_mode);
    auto& q = conn.Prepare(kQuery).Bind(scope.window.next, scope.window.start,
                                        scope.shard_count, scope.shard);
    while (q.Next()) {
      int64_t account = q.Int(0);
      const store::AccountRef* billable = scope.Billable(account);
      if (!billable) continue;
      IpInfo info{q.Int(1), q.Int(2), q.Text(3), q.Int(4) != 0,
                  q.OptInt(5).value_or(0) != 0, q.OptInt(6).value_or(0) != 0};
      std::string key = fmt::format("{}-{}", account, info.ip_id);
      groups.Add(key, account, billable->domain_id, q.Time(7), q.OptTime(8), info);
    }
    for (const auto& [key, g] : groups.groups()) {
      const IpInfo& last = g.last;
      UsageRecord r = NewTimeRecord(usage_type::kIpAddress, g.account_id, g.domain_id,
                                    last.zone_id, g.millis, scope.window, scope.hours_mode);
      r.description = "IPAddress: " + last.address;
      r.usage_id = last.ip_id;
      r.size = last.system ? 1 : 0;
      r.type = last.source_nat ? "SourceNat" : "";
      r.is_hidden = last.hidden;
      Finish(r);
      out.push_back(std::move(r));
    }
  }
};

}  // namespace

std::unique_ptr<UsageParser> NewIpAddressParser() { return std::make_unique<IpAddressParser>(); }

}  // namespace usaged::parse
