// NETWORK.OFFERING.CREATE/ASSIGN/REMOVE/DELETE -> usage_network_offering.
#include <charconv>

#include "ingest/handlers.h"
#include "ingest/interval_ops.h"

namespace usaged::ingest {
namespace {

// CloudStack puts the NIC id in resource_name; 0 when it is not a number.
int64_t NicId(const UsageEvent& e) {
  if (!e.resource_name) return 0;
  int64_t nic = 0;
  const std::string& s = *e.resource_name;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), nic);
  return (ec == std::errc() && ptr == s.data() + s.size()) ? nic : 0;
}

const IntervalTable kOfferings{"usage_network_offering", "created", "deleted",
                               "account_id = ? AND vm_instance_id = ? AND nic_id = ? AND "
                               "network_offering_id = ?"};

class NetworkOfferingEventHandler final : public EventHandler {
 public:
  std::string_view family() const override { return "network_offering"; }
  std::vector<std::string_view> event_types() const override {
    return {"NETWORK.OFFERING.CREATE", "NETWORK.OFFERING.ASSIGN", "NETWORK.OFFERING.REMOVE",
            "NETWORK.OFFERING.DELETE"};
  }

  ApplyOutcome Apply(store::Connection& conn, const UsageEvent& e,
                     const AccountRef& account) const override {
    if (!e.resource_id) return ApplyOutcome::Quarantine("no resource_id (the VM)");
    if (!e.offering_id) return ApplyOutcome::Quarantine("no offering_id (the network offering)");
    const int64_t nic = NicId(e);
    auto open = OpenIntervalStarts(conn, kOfferings, e.account_id, *e.resource_id, nic,
                                   *e.offering_id);
    const bool assign = e.type == "NETWORK.OFFERING.CREATE" || e.type == "NETWORK.OFFERING.ASSIGN";
    if (!assign) {
      std::string why = CheckClosable(open, e.created, "network offering assignment");
      if (!why.empty()) return ApplyOutcome::Quarantine(why);
      CloseOpenIntervals(conn, kOfferings, e.created, e.account_id, *e.resource_id, nic,
                         *e.offering_id);
      return ApplyOutcome::Applied();
    }
    if (!open.empty()) {
      // The Java server inserts a second open row here and bills the VM twice
      // for as long as both stay open.
      return ApplyOutcome::Healed(fmt::format(
          "offering {} is already assigned to VM {} (NIC {}) since {}; not opened twice",
          *e.offering_id, *e.resource_id, nic, FormatUtc(open.front())));
    }
    conn.Run(
        "INSERT INTO ${usage}.usage_network_offering (zone_id, account_id, domain_id, "
        "vm_instance_id, network_offering_id, is_default, created, deleted, nic_id) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, NULL, ?)",
        e.zone_id, e.account_id, account.domain_id, *e.resource_id, *e.offering_id,
        e.size.value_or(0) == 1 ? 1 : 0, e.created, nic);
    return ApplyOutcome::Applied();
  }
};

}  // namespace

std::unique_ptr<EventHandler> NewNetworkOfferingEventHandler() {
  return std::make_unique<NetworkOfferingEventHandler>();
}

}  // namespace usaged::ingest
