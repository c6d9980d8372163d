#include "sim/demo_network_rules.h"

#include <string>

namespace usaged::sim {
namespace {

using std::chrono::hours;
using std::chrono::minutes;

// Short for the many calls below.
EventSpec Event(const char* type, int64_t account, Instant t, int64_t resource,
                std::optional<int64_t> offering = std::nullopt) {
  return ResourceEvent(type, account, t, resource, offering);
}

EventSpec Named(EventSpec e, std::string name) {
  e.resource_name = std::move(name);
  return e;
}

EventSpec WithState(EventSpec e, const char* state) {
  e.resource_type = state;
  return e;
}

}  // namespace

void WriteDemoNetworkRules(CloudWriter& cloud, const DemoNetworkOwners& owners, Instant start) {
  auto at = [start](int day, int h, int m = 0) {
    return start + hours(24 * day + h) + minutes(m);
  };
  const int64_t alice = owners.alice, bob = owners.bob, carol = owners.carol;

  // alice: a VPC with one tier that is implemented when the web server
  // starts; the web server's security group, load balancer and a VPN user
  // who leaves on day 1 and comes back on day 2.
  cloud.AddEvent(Named(Event("VPC.CREATE", alice, at(0, 8, 30), 21), "alice-vpc"));
  cloud.AddEvent(Named(Event("NETWORK.CREATE", alice, at(0, 8, 45), 211, 40), "alice-tier-1"));
  cloud.AddEvent(WithState(Event("NETWORK.UPDATE", alice, at(0, 9, 2), 211, 40), "Implemented"));
  cloud.AddEvent(Event("SG.ASSIGN", alice, at(0, 9), 101, 31));
  cloud.AddEvent(Named(Event("LB.CREATE", alice, at(0, 9, 10), 601), "web-lb"));
  cloud.AddEvent(Named(Event("VPN.USER.ADD", alice, at(0, 10), 71), "alice"));
  cloud.AddEvent(Named(Event("VPN.USER.REMOVE", alice, at(1, 17), 71), "alice"));
  cloud.AddEvent(Named(Event("VPN.USER.ADD", alice, at(2, 8), 71), "alice"));

  // bob: port forwarding to the database and a network shut down and
  // deleted with it on day 2.
  cloud.AddEvent(Named(Event("NETWORK.CREATE", bob, at(0, 9, 55), 212, 41), "bob-net"));
  cloud.AddEvent(WithState(Event("NETWORK.UPDATE", bob, at(0, 10, 1), 212, 41), "Implemented"));
  cloud.AddEvent(Event("NET.RULEADD", bob, at(0, 10, 5), 701));
  cloud.AddEvent(Event("NET.RULEADD", bob, at(1, 9), 702));
  cloud.AddEvent(Event("NET.RULEDELETE", bob, at(2, 17, 20), 701));
  cloud.AddEvent(Event("NET.RULEDELETE", bob, at(2, 17, 20), 702));
  cloud.AddEvent(WithState(Event("NETWORK.UPDATE", bob, at(2, 17, 40), 212, 41), "Shutdown"));
  cloud.AddEvent(Event("NETWORK.DELETE", bob, at(2, 18), 212, 41));

  // carol: the batch VM's two security groups, one dropped on day 1, and a
  // short-lived load balancer.
  cloud.AddEvent(Event("SG.ASSIGN", carol, at(0, 13), 103, 32));
  cloud.AddEvent(Event("SG.ASSIGN", carol, at(0, 13), 103, 33));
  cloud.AddEvent(Event("SG.REMOVE", carol, at(1, 12), 103, 33));
  cloud.AddEvent(Event("LB.CREATE", carol, at(1, 14), 602));
  cloud.AddEvent(Event("LB.DELETE", carol, at(1, 20, 30), 602));
}

}  // namespace usaged::sim
