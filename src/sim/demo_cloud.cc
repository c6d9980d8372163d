#include "sim/demo_cloud.h"

#include "sim/cloud_writer.h"
#include "sim/demo_storage.h"
#include "sim/demo_statistics.h"
#include "sim/demo_network_rules.h"

namespace usaged::sim {
namespace {

using std::chrono::hours;
using std::chrono::minutes;

constexpr int64_t kGiB = 1024LL * 1024 * 1024;

struct Day {
  Instant start;
  Instant at(int h, int m = 0) const { return start + hours(h) + minutes(m); }
};

EventSpec Vm(const char* type, int64_t account, Instant t, int64_t vm, const char* name,
             int64_t offering, int64_t template_id = 200) {
  EventSpec e;
  e.type = type;
  e.account_id = account;
  e.created = t;
  e.resource_id = vm;
  e.resource_name = name;
  e.offering_id = offering;
  e.template_id = template_id;
  e.resource_type = "KVM";
  return e;
}

EventSpec Simple(const char* type, int64_t account, Instant t, int64_t resource) {
  EventSpec e;
  e.type = type;
  e.account_id = account;
  e.created = t;
  e.resource_id = resource;
  return e;
}

EventSpec Volume(const char* type, int64_t account, Instant t, int64_t volume, int64_t gib,
                 std::optional<int64_t> offering, std::optional<int64_t> template_id) {
  EventSpec e = Simple(type, account, t, volume);
  e.resource_name = "vol-" + std::to_string(volume);
  e.offering_id = offering;
  e.template_id = template_id;
  e.size = gib * kGiB;
  return e;
}

EventSpec Ip(const char* type, int64_t account, Instant t, int64_t ip, const char* address,
             bool source_nat) {
  EventSpec e = Simple(type, account, t, ip);
  e.resource_name = address;
  e.size = source_nat ? 1 : 0;
  e.resource_type = "VirtualNetwork";
  return e;
}

EventSpec Offering(const char* type, int64_t account, Instant t, int64_t vm, int64_t nic,
                   int64_t offering, bool is_default) {
  EventSpec e = Simple(type, account, t, vm);
  e.resource_name = std::to_string(nic);
  e.offering_id = offering;
  e.size = is_default ? 1 : 0;
  return e;
}

}  // namespace

void WriteDemoCloud(store::Connection& conn, Instant start) {
  CloudWriter cloud(conn);
  store::Transaction tx(conn);
  int64_t root = cloud.AddDomain("ROOT", std::nullopt);
  int64_t acme = cloud.AddDomain("Acme", root);
  int64_t research = cloud.AddDomain("Research", acme);
  int64_t globex = cloud.AddDomain("Globex", root);
  cloud.AddAccount("admin", root, 1);
  int64_t alice = cloud.AddAccount("alice", acme);
  int64_t bob = cloud.AddAccount("bob", research);
  int64_t carol = cloud.AddAccount("carol", globex);

  Day d0{start}, d1{start + hours(24)}, d2{start + hours(48)};

  // alice: a web server that is stopped overnight and upgraded on day 1.
  cloud.AddEvent(Vm("VM.CREATE", alice, d0.at(9), 101, "web-1", 10));
  cloud.AddEvent(Volume("VOLUME.CREATE", alice, d0.at(9), 501, 20, 1, 200));
  cloud.AddEvent(Offering("NETWORK.OFFERING.ASSIGN", alice, d0.at(9), 101, 1001, 7, true));
  cloud.AddEvent(Vm("VM.START", alice, d0.at(9, 2), 101, "web-1", 10));
  cloud.AddEvent(Ip("NET.IPASSIGN", alice, d0.at(9, 5), 301, "203.0.113.10", true));
  cloud.AddEvent(Vm("VM.STOP", alice, d0.at(18, 30), 101, "web-1", 10));
  cloud.AddEvent(Vm("VM.START", alice, d1.at(8), 101, "web-1", 10));
  cloud.AddEvent(Vm("VM.STOP", alice, d1.at(12), 101, "web-1", 10));
  cloud.AddEvent(Vm("VM.UPGRADE", alice, d1.at(12, 5), 101, "web-1", 11));
  cloud.AddEvent(Vm("VM.START", alice, d1.at(12, 10), 101, "web-1", 11));

  // bob: a database whose data disk grows, then everything is removed on day 2.
  cloud.AddEvent(Vm("VM.CREATE", bob, d0.at(10), 102, "db-1", 12));
  cloud.AddEvent(Vm("VM.START", bob, d0.at(10, 1), 102, "db-1", 12));
  cloud.AddEvent(Volume("VOLUME.CREATE", bob, d0.at(10), 502, 50, 3, std::nullopt));
  cloud.AddEvent(Offering("NETWORK.OFFERING.ASSIGN", bob, d0.at(10), 102, 1002, 7, true));
  cloud.AddEvent(Offering("NETWORK.OFFERING.ASSIGN", bob, d0.at(10), 102, 1003, 8, false));
  cloud.AddEvent(Volume("VOLUME.RESIZE", bob, d1.at(15), 502, 100, 3, std::nullopt));
  cloud.AddEvent(Offering("NETWORK.OFFERING.REMOVE", bob, d1.at(16), 102, 1003, 8, false));
  cloud.AddEvent(Volume("VOLUME.DELETE", bob, d2.at(9), 502, 100, 3, std::nullopt));
  cloud.AddEvent(Vm("VM.STOP", bob, d2.at(17), 102, "db-1", 12));
  cloud.AddEvent(Offering("NETWORK.OFFERING.DELETE", bob, d2.at(17, 30), 102, 1002, 7, true));
  cloud.AddEvent(Vm("VM.DESTROY", bob, d2.at(17, 30), 102, "db-1", 12));

  // carol: an IP for a day and a VM on a custom offering that is scaled up.
  cloud.AddEvent(Ip("NET.IPASSIGN", carol, d0.at(11), 302, "203.0.113.20", false));
  cloud.AddEvent(Ip("NET.IPRELEASE", carol, d1.at(11, 30), 302, "203.0.113.20", false));
  EventSpec create = Vm("VM.CREATE", carol, d0.at(13), 103, "batch-1", 20);
  create.details = {{"cpuNumber", "2"}, {"cpuSpeed", "2000"}, {"memory", "4096"}};
  cloud.AddEvent(create);
  EventSpec boot = create;
  boot.type = "VM.START";
  boot.created = d0.at(13, 1);
  cloud.AddEvent(boot);
  EventSpec scale = create;
  scale.type = "VM.DYNAMIC.SCALE";
  scale.created = d1.at(6);
  scale.details = {{"cpuNumber", "4"}, {"cpuSpeed", "2000"}, {"memory", "8192"}};
  cloud.AddEvent(scale);
  WriteDemoStorage(cloud, {alice, bob, carol}, start);
  WriteDemoStatistics(conn, alice, bob, carol);
  WriteDemoNetworkRules(cloud, {alice, bob, carol}, start);
  tx.Commit();
}

}  // namespace usaged::sim
