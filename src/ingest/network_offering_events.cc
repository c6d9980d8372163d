// NETWORK.OFFERING.CREATE/ASSIGN/REMOVE/DELETE -> usage_network_offering.
#include <charconv>

#include "ingest/handler_util.h"
#include "ingest/handlers.h"
#include "ingest/helper_tables.h"

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

class NetworkOfferingEventHandler final : public EventHandler {
 public:
  std::string_view family() const override { return "network_offering"; }
  std::vector<std::string_view> event_types() const override {
    return {"NETWORK.OFFERING.CREATE", "NETWORK.OFFERING.ASSIGN", "NETWORK.OFFERING.REMOVE",
            "NETWORK.OFFERING.DELETE"};
  }

  void Prefetch(const UsageEvent& e, PrefetchRequest& request) const override {
    if (e.resource_id) request.Want(kNetworkOfferingTable, "vm_instance_id", *e.resource_id);
  }

  ApplyOutcome Apply(HelperTables& tables, const UsageEvent& e,
                     const store::AccountRef& account) const override {
    if (!e.resource_id) return ApplyOutcome::Quarantine("no resource_id (the VM)");
    if (!e.offering_id) return ApplyOutcome::Quarantine("no offering_id (the network offering)");
    const int64_t nic = NicId(e);
    IntervalTable& t = tables.Get(kNetworkOfferingTable);
    auto open = t.FindOpen({{"account_id", e.account_id},
                            {"vm_instance_id", *e.resource_id},
                            {"nic_id", nic},
                            {"network_offering_id", *e.offering_id}});
    const bool assign = e.type == "NETWORK.OFFERING.CREATE" || e.type == "NETWORK.OFFERING.ASSIGN";
    if (!assign) {
      std::string why = CheckClosable(open, e.created, "network offering assignment");
      if (!why.empty()) return ApplyOutcome::Quarantine(why);
      CloseAll(t, open, e.created);
      return ApplyOutcome::Applied();
    }
    const int64_t is_default = e.size.value_or(0) == 1 ? 1 : 0;
    ApplyOutcome outcome = ApplyOutcome::Applied();
    if (!open.empty()) {
      IntervalRow& newest = *open.back();
      // The Java server inserts a second open row for every repeat and bills
      // the VM twice for as long as both stay open. A repeat with the same
      // default-NIC flag changes nothing here; one with another flag (the
      // default NIC changed) takes over from the open row, as the Java
      // server's record takes the flag from its newest row.
      if (newest.Int("is_default") == is_default || newest.start > e.created) {
        return ApplyOutcome::Healed(fmt::format(
            "offering {} is already assigned to VM {} (NIC {}) since {}; not opened twice",
            *e.offering_id, *e.resource_id, nic, FormatUtc(newest.start)));
      }
      if (newest.start == e.created) {
        // Assigned in this very second: the flag applies from the row's start.
        t.SetValues(newest, {{"zone_id", e.zone_id}, {"is_default", is_default}});
        return outcome;
      }
      CloseAll(t, open, e.created);
      outcome = ApplyOutcome::Healed(fmt::format(
          "offering {} assigned to VM {} (NIC {}) since {} is assigned again with default "
          "flag {}: the earlier assignment is closed",
          *e.offering_id, *e.resource_id, nic, FormatUtc(open.front()->start), is_default));
    }
    t.Insert({{"zone_id", e.zone_id},
              {"account_id", e.account_id},
              {"domain_id", account.domain_id},
              {"vm_instance_id", *e.resource_id},
              {"network_offering_id", *e.offering_id},
              {"is_default", is_default},
              {"nic_id", nic}},
             e.created);
    return outcome;
  }
};

}  // namespace

std::unique_ptr<EventHandler> NewNetworkOfferingEventHandler() {
  return std::make_unique<NetworkOfferingEventHandler>();
}

}  // namespace usaged::ingest
