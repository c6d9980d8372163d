// NETWORK_OFFERING (13) from usage_network_offering.
#include "core/usage_types.h"
#include "parse/interval_parser.h"
#include "parse/parsers.h"

namespace usaged::parse {
namespace {

struct OfferingInfo {
  int64_t zone_id = 0;
  int64_t vm_id = 0;
  int64_t offering_id = 0;
  bool is_default = false;
};

class NetworkOfferingParser final : public IntervalParser<OfferingInfo> {
 public:
  NetworkOfferingParser()
      : IntervalParser({"usage_network_offering", "created", "deleted",
                        "zone_id, vm_instance_id, network_offering_id, is_default", ""},
                       DescribedBy::kQueriedRows) {}
  std::string_view name() const override { return "network_offering"; }
  std::vector<int> usage_types() const override { return {usage_type::kNetworkOffering}; }

 protected:
  std::string ReadRow(store::Statement& q, OfferingInfo& o) const override {
    o = {q.Int(1), q.Int(2), q.Int(3), q.Int(4) != 0};
    // CloudStack keys by VM and offering; the NIC is not part of the key.
    return fmt::format("{}NO{}", o.vm_id, o.offering_id);
  }
  int RecordType(const Group&) const override { return usage_type::kNetworkOffering; }
  int64_t ZoneOf(const Group& g) const override { return g.last.zone_id; }
  void Describe(const Group& g, UsageRecord& r) const override {
    const OfferingInfo& last = g.last;
    r.description = fmt::format("Network offering:{} for Vm : {} usage time", last.offering_id,
                                last.vm_id);
    r.vm_instance_id = last.vm_id;
    r.offering_id = last.offering_id;
    // CloudStack stores the default-NIC flag (1/0) in usage_id for this type.
    r.usage_id = last.is_default ? 1 : 0;
  }
};

}  // namespace

std::unique_ptr<UsageParser> NewNetworkOfferingParser() {
  return std::make_unique<NetworkOfferingParser>();
}

}  // namespace usaged::parse
