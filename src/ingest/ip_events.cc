// NET.IPASSIGN/IPRELEASE -> usage_ip_address.
#include "ingest/handlers.h"
#include "ingest/interval_ops.h"

namespace usaged::ingest {
namespace {

const IntervalTable kIpsById{"usage_ip_address", "assigned", "released", "account_id = ? AND ip_id = ?"};
// CloudStack releases by address, not by id.
const IntervalTable kIpsByAddress{"usage_ip_address", "assigned", "released",
                                  "account_id = ? AND public_ip_address = ?"};

class IpEventHandler final : public EventHandler {
 public:
  std::string_view family() const override { return "ip_address"; }
  std::vector<std::string_view> event_types() const override {
    return {"NET.IPASSIGN", "NET.IPRELEASE"};
  }

  ApplyOutcome Apply(store::Connection& conn, const UsageEvent& e,
                     const AccountRef& account) const override {
    if (!e.resource_name) return ApplyOutcome::Quarantine("no resource_name (the IP address)");
    const std::string& address = *e.resource_name;
    if (e.type == "NET.IPRELEASE") {
      auto open = OpenIntervalStarts(conn, kIpsByAddress, e.account_id, address);
      std::string why = CheckClosable(open, e.created, "assignment of " + address);
      if (!why.empty()) return ApplyOutcome::Quarantine(why);
      CloseOpenIntervals(conn, kIpsByAddress, e.created, e.account_id, address);
      return ApplyOutcome::Applied();
    }
    if (!e.resource_id) return ApplyOutcome::Quarantine("no resource_id (the IP address id)");
    auto open = OpenIntervalStarts(conn, kIpsById, e.account_id, *e.resource_id);
    ApplyOutcome outcome = ApplyOutcome::Applied();
    if (!open.empty()) {
      if (open.back() >= e.created) {
        return ApplyOutcome::Healed(fmt::format("IP {} is already assigned since {}", address,
                                                FormatUtc(open.back())));
      }
      // A new assignment without a release: end the old one here rather than
      // billing two overlapping assignments.
      CloseOpenIntervals(conn, kIpsById, e.created, e.account_id, *e.resource_id);
      outcome = ApplyOutcome::Healed(fmt::format(
          "IP {} was still assigned since {}; that assignment is closed", address,
          FormatUtc(open.front())));
    }
    const bool source_nat = e.size.value_or(0) == 1;
    const bool system = e.template_id.value_or(0) != 0;
    const bool hidden = e.Detail("hidden").value_or("") == "true";
    conn.Run(
        "INSERT INTO ${usage}.usage_ip_address (ip_id, account_id, domain_id, zone_id, "
        "public_ip_address, is_source_nat, is_system, assigned, released, is_hidden) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, NULL, ?)",
        *e.resource_id, e.account_id, account.domain_id, e.zone_id, address, source_nat ? 1 : 0,
        system ? 1 : 0, e.created, hidden ? 1 : 0);
    return outcome;
  }
};

}  // namespace

std::unique_ptr<EventHandler> NewIpEventHandler() { return std::make_unique<IpEventHandler>(); }

}  // namespace usaged::ingest
