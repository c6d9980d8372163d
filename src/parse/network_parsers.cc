// NETWORK (30) from usage_networks and VPC (31) from usage_vpc (CloudStack
// 4.19.1 and later).
#include "core/usage_types.h"
#include "parse/interval_parser.h"
#include "parse/parsers.h"

namespace usaged::parse {
namespace {

struct NetworkInfo {
  int64_t zone_id = 0;
  int64_t network_id = 0;
  int64_t offering_id = 0;
  std::optional<std::string> state;
};

// CloudStack writes one record per helper row, so a network with two rows in
// a window (created twice) got two records for the same time. Rows are
// grouped here by network, offering and state: a state or offering change
// inside the window gives one record per part, never two for the same thing.
class NetworkParser final : public IntervalParser<NetworkInfo> {
 public:
  NetworkParser()
      : IntervalParser({"usage_networks", "created", "removed",
                        "zone_id, network_id, network_offering_id, state", ""}) {}
  std::string_view name() const override { return "network"; }
  std::vector<int> usage_types() const override { return {usage_type::kNetwork}; }

 protected:
  std::string ReadRow(store::Statement& q, NetworkInfo& i) const override {
    i = {q.Int(1), q.Int(2), q.Int(3), q.OptText(4)};
    return fmt::format("{}-{}-{}", i.network_id, i.offering_id, i.state.value_or("\x01null"));
  }
  int RecordType(const Group&) const override { return usage_type::kNetwork; }
  int64_t ZoneOf(const Group& g) const override { return g.last.zone_id; }
  void Describe(const Group& g, UsageRecord& r) const override {
    const NetworkInfo& last = g.last;
    r.description = fmt::format("Network usage for network ID: {}, network offering: {}",
                                last.network_id, last.offering_id);
    r.offering_id = last.offering_id;
    r.usage_id = last.network_id;
    r.size = 0;
    r.state = last.state;
  }
};

struct VpcInfo {
  int64_t zone_id = 0;
  int64_t vpc_id = 0;
};

class VpcParser final : public IntervalParser<VpcInfo> {
 public:
  VpcParser() : IntervalParser({"usage_vpc", "created", "removed", "zone_id, vpc_id", ""}) {}
  std::string_view name() const override { return "vpc"; }
  std::vector<int> usage_types() const override { return {usage_type::kVpc}; }

 protected:
  std::string ReadRow(store::Statement& q, VpcInfo& i) const override {
    i = {q.Int(1), q.Int(2)};
    return std::to_string(i.vpc_id);
  }
  int RecordType(const Group&) const override { return usage_type::kVpc; }
  int64_t ZoneOf(const Group& g) const override { return g.last.zone_id; }
  void Describe(const Group& g, UsageRecord& r) const override {
    r.description = fmt::format("VPC usage for VPC ID: {}", g.last.vpc_id);
    r.usage_id = g.last.vpc_id;
    r.size = 0;
  }
};

}  // namespace

std::unique_ptr<UsageParser> NewNetworkParser() { return std::make_unique<NetworkParser>(); }
std::unique_ptr<UsageParser> NewVpcParser() { return std::make_unique<VpcParser>(); }

}  // namespace usaged::parse
