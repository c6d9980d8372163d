// NETWORK.CREATE/UPDATE/DELETE -> usage_networks (CloudStack 4.19.1 and
// later), kept the way CloudStack 4.21's usage server keeps it
// (UsageManagerImpl.java:2040-2089): a create opens an Allocated row, an
// update ends the network's open rows and opens one from the event, a delete
// ends the open rows. Rows are found by network id alone, as
// UsageNetworksDaoImpl does.
#include "ingest/handler_util.h"
#include "ingest/handlers.h"
#include "ingest/helper_tables.h"

namespace usaged::ingest {
namespace {

// A new usage_networks row as CloudStack's handler fills it: zone and account
// from the event, domain from the event's account.
std::map<std::string, SqlValue> NewRow(const UsageEvent& e, const store::AccountRef& account,
                                       int64_t offering, SqlValue state) {
  return {{"network_offering_id", offering}, {"zone_id", e.zone_id},
          {"network_id", *e.resource_id},    {"account_id", e.account_id},
          {"domain_id", account.domain_id},  {"state", std::move(state)}};
}

class NetworkEventHandler final : public EventHandler {
 public:
  std::string_view family() const override { return "network"; }
  std::vector<std::string_view> event_types() const override {
    return {"NETWORK.CREATE", "NETWORK.UPDATE", "NETWORK.DELETE"};
  }

  void Prefetch(const UsageEvent& e, PrefetchRequest& request) const override {
    // An update of a network without an open row needs to know whether the
    // network ever had one.
    if (e.resource_id) {
      request.Want(kNetworksTable, "network_id", *e.resource_id,
                   /*include_closed=*/e.type == "NETWORK.UPDATE");
    }
  }

  ApplyOutcome Apply(HelperTables& tables, const UsageEvent& e,
                     const store::AccountRef& account) const override {
    if (!e.resource_id) return ApplyOutcome::Quarantine("no resource_id (the network)");
    IntervalTable& t = tables.Get(kNetworksTable);
    auto open = t.FindOpen({{"network_id", *e.resource_id}});
    if (e.type == "NETWORK.CREATE") return Create(t, e, account, open);
    if (e.type == "NETWORK.UPDATE" && open.empty()) return OpenFromUpdate(t, e, account);
    std::string why = CheckClosable(open, e.created, fmt::format("network {}", *e.resource_id));
    if (!why.empty()) return ApplyOutcome::Quarantine(why);
    // A delete only ends the rows: their state stays what it was while the
    // network was billed (CloudStack 4.21 does not change it either).
    CloseAll(t, open, e.created);
    if (e.type == "NETWORK.DELETE") return ApplyOutcome::Applied();
    return Update(t, e, account, *open.back());
  }

 private:
  static ApplyOutcome Create(IntervalTable& t, const UsageEvent& e,
                             const store::AccountRef& account,
                             const std::vector<IntervalRow*>& open) {
    if (!e.offering_id) return ApplyOutcome::Quarantine("no offering_id (the network offering)");
    if (!open.empty()) {
      // CloudStack skips it too ("will not create a new one").
      return ApplyOutcome::Healed(fmt::format("network {} is already created since {}; not "
                                              "opened twice",
                                              *e.resource_id, FormatUtc(open.front()->start)));
    }
    // CloudStack's row is Allocated whatever resource_type says.
    t.Insert(NewRow(e, account, *e.offering_id, std::string("Allocated")), e.created);
    return ApplyOutcome::Applied();
  }

  // The state is resource_type as the event carries it (NULL if it has
  // none). Every update starts a row, even one that changes nothing: CloudStack
  // writes one record per row, so the row boundary shows in its records. An
  // update in the second the open row began leaves that row zero-length.
  static ApplyOutcome Update(IntervalTable& t, const UsageEvent& e,
                             const store::AccountRef& account, const IntervalRow& last) {
    // Without an offering CloudStack's handler fails on the whole run; the
    // network keeps the offering it has.
    const int64_t offering = e.offering_id ? *e.offering_id : last.Int("network_offering_id");
    t.Insert(NewRow(e, account, offering, Value(e.resource_type)), e.created);
    return ApplyOutcome::Applied();
  }

  // A network without an open row. One that never had a row (it existed
  // before CloudStack billed networks, or its create was lost) starts being
  // billed here, as in CloudStack. One whose rows are all ended was deleted:
  // CloudStack would open a row that nothing ever ends and bill the deleted
  // network for ever, so the update is refused.
  static ApplyOutcome OpenFromUpdate(IntervalTable& t, const UsageEvent& e,
                                     const store::AccountRef& account) {
    auto rows = t.Find({{"network_id", *e.resource_id}}, /*include_closed=*/true);
    if (!rows.empty()) {
      const IntervalRow& last = *rows.back();
      return ApplyOutcome::Quarantine(fmt::format(
          "network {} was deleted at {}; an update does not bill it again",
          *e.resource_id, last.end ? FormatUtc(*last.end) : std::string("an unknown time")));
    }
    if (!e.offering_id) return ApplyOutcome::Quarantine("no offering_id (the network offering)");
    t.Insert(NewRow(e, account, *e.offering_id, Value(e.resource_type)), e.created);
    return ApplyOutcome::Healed(fmt::format(
        "network {} had no usage row (created before networks were billed, or its "
        "NETWORK.CREATE is missing); billed from this update on",
        *e.resource_id));
  }
};

}  // namespace

std::unique_ptr<EventHandler> NewNetworkEventHandler() {
  return std::make_unique<NetworkEventHandler>();
}

}  // namespace usaged::ingest
