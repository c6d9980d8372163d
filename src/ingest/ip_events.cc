// NET.IPASSIGN/IPRELEASE -> usage_ip_address.
#include "ingest/handler_util.h"
#include "ingest/handlers.h"
#include "ingest/helper_tables.h"

namespace usaged::ingest {
namespace {

class IpEventHandler final : public EventHandler {
 public:
  std::string_view family() const override { return "ip_address"; }
  std::vector<std::string_view> event_types() const override {
    return {"NET.IPASSIGN", "NET.IPRELEASE"};
  }

  void Prefetch(const UsageEvent& e, PrefetchRequest& request) const override {
    if (e.resource_id) request.Want(kIpAddressTable, "ip_id", *e.resource_id);
    // CloudStack releases by address, not by id.
    if (e.resource_name) request.Want(kIpAddressTable, "public_ip_address", *e.resource_name);
  }

  ApplyOutcome Apply(HelperTables& tables, const UsageEvent& e,
                     const store::AccountRef& account) const override {
    if (!e.resource_name) return ApplyOutcome::Quarantine("no resource_name (the IP address)");
    const std::string& address = *e.resource_name;
    IntervalTable& t = tables.Get(kIpAddressTable);
    if (e.type == "NET.IPRELEASE") {
      auto open = t.FindOpen({{"account_id", e.account_id}, {"public_ip_address", address}});
      std::string why = CheckClosable(open, e.created, "assignment of " + address);
      if (!why.empty()) return ApplyOutcome::Quarantine(why);
      CloseAll(t, open, e.created);
      return ApplyOutcome::Applied();
    }
    if (!e.resource_id) return ApplyOutcome::Quarantine("no resource_id (the IP address id)");
    auto open = t.FindOpen({{"account_id", e.account_id}, {"ip_id", *e.resource_id}});
    ApplyOutcome outcome = ApplyOutcome::Applied();
    if (!open.empty()) {
      if (open.back()->start >= e.created) {
        return ApplyOutcome::Healed(fmt::format("IP {} is already assigned since {}", address,
                                                FormatUtc(open.back()->start)));
      }
      // A new assignment without a release: end the old one here rather than
      // billing two overlapping assignments.
      CloseAll(t, open, e.created);
      outcome = ApplyOutcome::Healed(fmt::format(
          "IP {} was still assigned since {}; that assignment is closed", address,
          FormatUtc(open.front()->start)));
    }
    const bool source_nat = e.size.value_or(0) == 1;
    const bool system = e.template_id.value_or(0) != 0;
    const bool hidden = e.Detail("hidden").value_or("") == "true";
    t.Insert({{"ip_id", *e.resource_id},
              {"account_id", e.account_id},
              {"domain_id", account.domain_id},
              {"zone_id", e.zone_id},
              {"public_ip_address", address},
              {"is_source_nat", int64_t{source_nat}},
              {"is_system", int64_t{system}},
              {"is_hidden", int64_t{hidden}}},
             e.created);
    return outcome;
  }
};

}  // namespace

std::unique_ptr<EventHandler> NewIpEventHandler() { return std::make_unique<IpEventHandler>(); }

}  // namespace usaged::ingest
