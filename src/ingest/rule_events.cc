// Resources that simply live from one event to another, one helper row per
// lifetime: SG.ASSIGN/SG.REMOVE -> usage_security_group, LB.CREATE/LB.DELETE
// -> usage_load_balancer_policy, NET.RULEADD/NET.RULEDELETE ->
// usage_port_forwarding, VPC.CREATE/VPC.DELETE -> usage_vpc.
#include "ingest/handler_util.h"
#include "ingest/handlers.h"
#include "ingest/helper_tables.h"

namespace usaged::ingest {
namespace {

// How one family maps its events onto its helper table.
struct LifetimeFamily {
  std::string_view family;
  std::string_view open_type;
  std::string_view close_type;
  const TableDef* table;
  std::string what;         // the resource, for messages: "load balancer"
  std::string id_column;    // filled from resource_id
  std::string key_column;   // filled from offering_id, or "" if none
  // Whether rows are matched by account too (CloudStack finds a VPC's rows by
  // its id alone).
  bool match_account = true;
  std::map<std::string, SqlValue> constants = {};  // further columns of a new row
};

class LifetimeEventHandler final : public EventHandler {
 public:
  explicit LifetimeEventHandler(LifetimeFamily f) : f_(std::move(f)) {}

  std::string_view family() const override { return f_.family; }
  std::vector<std::string_view> event_types() const override {
    return {f_.open_type, f_.close_type};
  }

  void Prefetch(const UsageEvent& e, PrefetchRequest& request) const override {
    if (e.resource_id) request.Want(*f_.table, f_.id_column, *e.resource_id);
  }

  ApplyOutcome Apply(HelperTables& tables, const UsageEvent& e,
                     const store::AccountRef& account) const override {
    if (!e.resource_id) return ApplyOutcome::Quarantine("no resource_id (the " + f_.what + ")");
    std::map<std::string, SqlValue> key = {{f_.id_column, *e.resource_id}};
    if (f_.match_account) key["account_id"] = e.account_id;
    if (!f_.key_column.empty()) {
      if (!e.offering_id) {
        return ApplyOutcome::Quarantine("no offering_id (the " + f_.key_column + ")");
      }
      key[f_.key_column] = *e.offering_id;
    }
    IntervalTable& t = tables.Get(*f_.table);
    auto open = t.FindOpen(key);
    const std::string name = Name(e);
    if (e.type == f_.close_type) {
      std::string why = CheckClosable(open, e.created, f_.what + " " + name);
      if (!why.empty()) return ApplyOutcome::Quarantine(why);
      CloseAll(t, open, e.created);
      return ApplyOutcome::Applied();
    }
    if (!open.empty()) {
      // For security groups, load balancers and port forwarding rules the
      // Java server inserts a second open row here and bills the resource
      // twice for as long as both stay open; a second VPC.CREATE it skips.
      return ApplyOutcome::Healed(fmt::format("{} {} is already open since {}; not opened twice",
                                              f_.what, name, FormatUtc(open.front()->start)));
    }
    std::map<std::string, SqlValue> values = f_.constants;
    values.insert(key.begin(), key.end());
    values["account_id"] = e.account_id;
    values["zone_id"] = e.zone_id;
    values["domain_id"] = account.domain_id;
    t.Insert(std::move(values), e.created);
    return ApplyOutcome::Applied();
  }

 private:
  std::string Name(const UsageEvent& e) const {
    if (f_.key_column.empty()) return std::to_string(*e.resource_id);
    return fmt::format("{} on VM {}", *e.offering_id, *e.resource_id);
  }

  LifetimeFamily f_;
};

}  // namespace

std::unique_ptr<EventHandler> NewSecurityGroupEventHandler() {
  // CloudStack puts the VM in resource_id and the security group in
  // offering_id.
  return std::make_unique<LifetimeEventHandler>(
      LifetimeFamily{"security_group", "SG.ASSIGN", "SG.REMOVE", &kSecurityGroupTable,
                     "security group", "vm_instance_id", "security_group_id"});
}

std::unique_ptr<EventHandler> NewLoadBalancerEventHandler() {
  return std::make_unique<LifetimeEventHandler>(
      LifetimeFamily{"load_balancer", "LB.CREATE", "LB.DELETE", &kLoadBalancerTable,
                     "load balancer", "lb_id", ""});
}

std::unique_ptr<EventHandler> NewPortForwardingEventHandler() {
  return std::make_unique<LifetimeEventHandler>(
      LifetimeFamily{"port_forwarding", "NET.RULEADD", "NET.RULEDELETE", &kPortForwardingTable,
                     "port forwarding rule", "pf_id", ""});
}

std::unique_ptr<EventHandler> NewVpcEventHandler() {
  // The VPC's state is kept as CloudStack keeps it (Enabled); no record
  // shows it.
  return std::make_unique<LifetimeEventHandler>(
      LifetimeFamily{"vpc", "VPC.CREATE", "VPC.DELETE", &kVpcTable, "VPC", "vpc_id", "",
                     /*match_account=*/false, {{"state", std::string("Enabled")}}});
}

}  // namespace usaged::ingest
