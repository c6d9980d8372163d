// NETWORK.CREATE/UPDATE/DELETE -> usage_networks (CloudStack 4.19.1 and
// later).
#include <set>

#include "ingest/handler_util.h"
#include "ingest/handlers.h"
#include "ingest/helper_tables.h"

namespace usaged::ingest {
namespace {

std::optional<std::string> Text(const SqlValue& v) {
  if (!std::holds_alternative<std::string>(v)) return std::nullopt;
  return std::get<std::string>(v);
}

// The network state an event carries in resource_type, if it is one of
// CloudStack's Network.State names (anything else there is not a state).
std::optional<std::string> NetworkState(const UsageEvent& e) {
  static const std::set<std::string> kStates = {"Allocated",    "Setup",    "Implementing",
                                                "Implemented", "Shutdown", "Destroy"};
  if (e.resource_type && kStates.count(*e.resource_type)) return e.resource_type;
  return std::nullopt;
}

class NetworkEventHandler final : public EventHandler {
 public:
  std::string_view family() const override { return "network"; }
  std::vector<std::string_view> event_types() const override {
    return {"NETWORK.CREATE", "NETWORK.UPDATE", "NETWORK.DELETE"};
  }

  void Prefetch(const UsageEvent& e, PrefetchRequest& request) const override {
    if (e.resource_id) request.Want(kNetworksTable, "network_id", *e.resource_id);
  }

  ApplyOutcome Apply(HelperTables& tables, const UsageEvent& e,
                     const store::AccountRef& account) const override {
    if (!e.resource_id) return ApplyOutcome::Quarantine("no resource_id (the network)");
    const int64_t network = *e.resource_id;
    IntervalTable& t = tables.Get(kNetworksTable);
    // CloudStack finds a network's row by the network id alone.
    auto open = t.FindOpen({{"network_id", network}});
    const std::string what = fmt::format("network {}", network);
    if (e.type == "NETWORK.CREATE") return Create(t, e, account, open);
    std::string why = CheckClosable(open, e.created, what);
    if (!why.empty()) return ApplyOutcome::Quarantine(why);
    if (e.type == "NETWORK.DELETE") {
      // The Java server also overwrites the row's state with "Destroy", which
      // re-describes the time the network was alive; the state stays as it was.
      CloseAll(t, open, e.created);
      return ApplyOutcome::Applied();
    }
    return Update(t, e, *open.back());
  }

 private:
  static ApplyOutcome Create(IntervalTable& t, const UsageEvent& e,
                             const store::AccountRef& account,
                             const std::vector<IntervalRow*>& open) {
    if (!e.offering_id) return ApplyOutcome::Quarantine("no offering_id (the network offering)");
    if (!open.empty()) {
      // The Java server inserts a second row and bills the network twice.
      return ApplyOutcome::Healed(fmt::format("network {} is already created since {}; not "
                                              "opened twice",
                                              *e.resource_id, FormatUtc(open.front()->start)));
    }
    t.Insert({{"network_offering_id", *e.offering_id},
              {"zone_id", e.zone_id},
              {"network_id", *e.resource_id},
              {"account_id", e.account_id},
              {"domain_id", account.domain_id},
              {"state", NetworkState(e).value_or("Allocated")}},
             e.created);
    return ApplyOutcome::Applied();
  }

  // A new state (resource_type) or network offering. The Java server rewrites
  // the open row, so the whole current window is billed with the new values;
  // here the row is ended and a new one begins, so each part of the window
  // keeps the state and offering it had, and re-parsing a window later gives
  // the same records.
  static ApplyOutcome Update(IntervalTable& t, const UsageEvent& e, IntervalRow& row) {
    std::map<std::string, SqlValue> changed;
    if (e.offering_id && row.OptInt("network_offering_id") != e.offering_id) {
      changed["network_offering_id"] = *e.offering_id;
    }
    if (auto state = NetworkState(e); state && Text(row.values["state"]) != state) {
      changed["state"] = *state;
    }
    if (changed.empty()) {
      return ApplyOutcome::NoEffect(
          fmt::format("network {} already has this state and offering", *e.resource_id));
    }
    if (row.start == e.created) {
      t.SetValues(row, changed);
      return ApplyOutcome::Applied();
    }
    std::map<std::string, SqlValue> values = row.values;
    for (auto& [column, value] : changed) values[column] = value;
    t.Close(row, e.created);
    t.Insert(std::move(values), e.created);
    return ApplyOutcome::Applied();
  }
};

}  // namespace

std::unique_ptr<EventHandler> NewNetworkEventHandler() {
  return std::make_unique<NetworkEventHandler>();
}

}  // namespace usaged::ingest
