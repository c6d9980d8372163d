// VPN.USER.ADD/VPN.USER.REMOVE -> usage_vpn_user.
#include "ingest/handler_util.h"
#include "ingest/handlers.h"
#include "ingest/helper_tables.h"

namespace usaged::ingest {
namespace {

constexpr size_t kUserNameLength = 255;

class VpnUserEventHandler final : public EventHandler {
 public:
  std::string_view family() const override { return "vpn_user"; }
  std::vector<std::string_view> event_types() const override {
    return {"VPN.USER.ADD", "VPN.USER.REMOVE"};
  }

  void Prefetch(const UsageEvent& e, PrefetchRequest& request) const override {
    if (e.resource_id) request.Want(kVpnUserTable, "user_id", *e.resource_id);
  }

  ApplyOutcome Apply(HelperTables& tables, const UsageEvent& e,
                     const store::AccountRef& account) const override {
    if (!e.resource_id) return ApplyOutcome::Quarantine("no resource_id (the VPN user)");
    const int64_t user = *e.resource_id;
    IntervalTable& t = tables.Get(kVpnUserTable);
    // CloudStack matches a VPN user by zone, account (and its domain) and
    // user id.
    auto open = t.FindOpen({{"account_id", e.account_id}, {"zone_id", e.zone_id},
                            {"user_id", user}});
    if (e.type == "VPN.USER.REMOVE") {
      std::string why = CheckClosable(open, e.created, fmt::format("VPN user {}", user));
      if (!why.empty()) return ApplyOutcome::Quarantine(why);
      // The Java server ends the row at its own wall-clock time
      // (UsageManagerImpl.java:1814), so the billed hours depend on when its
      // job ran; the event's time is what the user did and gives the same
      // records on every run, in compat mode too.
      CloseAll(t, open, e.created);
      return ApplyOutcome::Applied();
    }
    if (!open.empty()) {
      // CloudStack also keeps the existing row (and logs at debug level).
      return ApplyOutcome::Healed(fmt::format("VPN user {} is already added since {}; kept once",
                                              user, FormatUtc(open.front()->start)));
    }
    // usage_vpn_user.user_name holds 255 characters (since CloudStack 4.5,
    // schema-442to450.sql:976; CloudStack takes names of up to 64). A longer
    // name would make a strict database refuse the row and the user would not
    // be billed at all, so it is cut instead.
    std::optional<std::string> name = e.resource_name;
    ApplyOutcome outcome = ApplyOutcome::Applied();
    if (name && name->size() > kUserNameLength) {
      name->resize(kUserNameLength);
      outcome = ApplyOutcome::Healed(fmt::format(
          "VPN user {}'s name is longer than {} characters; stored as '{}'", user,
          kUserNameLength, *name));
    }
    t.Insert({{"zone_id", e.zone_id},
              {"account_id", e.account_id},
              {"domain_id", account.domain_id},
              {"user_id", user},
              {"user_name", Value(name)}},
             e.created);
    return outcome;
  }
};

}  // namespace

std::unique_ptr<EventHandler> NewVpnUserEventHandler() {
  return std::make_unique<VpnUserEventHandler>();
}

}  // namespace usaged::ingest
