// NETWORK_BYTES_SENT (4) and NETWORK_BYTES_RECEIVED (5) from usage_network,
// the deltas the statistics step derives from cloud.user_statistics.
#include <fmt/format.h>

#include <map>

#include "core/usage_types.h"
#include "parse/sampled_usage.h"
#include "parse/parsers.h"
#include "parse/time_record.h"

namespace usaged::parse {
namespace {

struct Traffic {
  int64_t account_id = 0;
  int64_t domain_id = 0;
  int64_t zone_id = 0;
  int64_t host_id = 0;
  std::optional<std::string> host_type;
  int64_t network_id = 0;
  int64_t sent = 0;
  int64_t received = 0;
};

class NetworkBytesParser final : public UsageParser {
 public:
  std::string_view name() const override { return "network_bytes"; }
  std::vector<int> usage_types() const override {
    return {usage_type::kNetworkBytesSent, usage_type::kNetworkBytesReceived};
  }

  // One query: every delta row stamped inside the window for the shard. Rows
  // are summed per account and zone, and per host and network when the row
  // names a host (CloudStack's key); each key with traffic gives a "sent" and
  // a "received" record, even if one of them is 0.
  void Parse(store::Connection& conn, const ParseScope& scope,
             std::vector<UsageRecord>& out) const override {
    auto& q = QueryWindowSamples(conn, scope, "usage_network",
                                 "account_id, zone_id, host_id, host_type, network_id, "
                                 "bytes_sent, bytes_received");
    std::map<std::string, Traffic> by_key;
    while (q.Next()) {
      const store::AccountRef* account = scope.Billable(q.Int(0));
      if (!account) continue;
      int64_t zone = q.Int(1), host = q.Int(2);
      std::string key = host == 0 ? fmt::format("{}-{}", account->id, zone)
                                  : fmt::format("{}-{}-{}-{}", account->id, zone, host, q.Int(4));
      Traffic& t = by_key[key];
      t = {account->id, account->domain_id, zone, host, q.OptText(3), q.Int(4),
           t.sent + q.Int(5), t.received + q.Int(6)};
    }
    for (const auto& [key, t] : by_key) {
      if (t.sent <= 0 && t.received <= 0) continue;
      out.push_back(Record(usage_type::kNetworkBytesSent, t, t.sent, "sent", scope.window));
      out.push_back(
          Record(usage_type::kNetworkBytesReceived, t, t.received, "received", scope.window));
    }
  }

 private:
  static UsageRecord Record(int type, const Traffic& t, int64_t bytes, const char* direction,
                            const Window& window) {
    UsageRecord r = NewAmountRecord(type, t.account_id, t.domain_id, t.zone_id, bytes,
                                    fmt::format("bytes {}", direction), window);
    r.description = fmt::format("network bytes {}", direction);
    if (t.host_id != 0) {
      r.description += fmt::format(" for Host: {}", t.host_id);
      r.usage_id = t.host_id;
    }
    r.type = t.host_type;
    r.network_id = t.network_id;
    Finish(r);
    return r;
  }
};

}  // namespace

std::unique_ptr<UsageParser> NewNetworkBytesParser() {
  return std::make_unique<NetworkBytesParser>();
}

}  // namespace usaged::parse
