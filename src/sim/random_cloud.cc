#include "sim/random_cloud.h"

#include <algorithm>
#include <random>
#include <vector>

#include "sim/cloud_writer.h"

namespace usaged::sim {
namespace {

using std::chrono::seconds;

class HistoryBuilder {
 public:
  HistoryBuilder(const RandomCloudSpec& spec) : spec_(spec), rng_(spec.seed) {}

  Instant RandomTime(Instant from, Instant to) {
    auto span = std::chrono::duration_cast<seconds>(to - from).count();
    if (span <= 0) return from;
    std::uniform_int_distribution<int64_t> d(0, span - 1);
    return from + seconds(d(rng_));
  }
  bool Chance(double p) { return std::uniform_real_distribution<double>(0, 1)(rng_) < p; }
  int Pick(int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng_); }

  void Add(EventSpec e) { events_.push_back(std::move(e)); }

  void Vm(int64_t account, int64_t vm, Instant end) {
    const Instant created = RandomTime(spec_.start, end - std::chrono::hours(24));
    int64_t offering = Pick(1, 4);
    auto vm_event = [&](const char* type, Instant t) {
      EventSpec e;
      e.type = type;
      e.account_id = account;
      e.created = t;
      e.resource_id = vm;
      e.resource_name = "vm-" + std::to_string(vm);
      e.offering_id = offering;
      e.template_id = 200 + (vm % 3);
      e.resource_type = "KVM";
      return e;
    };
    Add(vm_event("VM.CREATE", created));
    EventSpec vol;
    vol.type = "VOLUME.CREATE";
    vol.account_id = account;
    vol.created = created;
    vol.resource_id = vm * 10;
    vol.resource_name = "ROOT-" + std::to_string(vm);
    vol.template_id = 200 + (vm % 3);
    vol.size = int64_t{Pick(1, 8)} * 10 * 1024 * 1024 * 1024;
    Add(vol);
    EventSpec nic;
    nic.type = "NETWORK.OFFERING.ASSIGN";
    nic.account_id = account;
    nic.created = created;
    nic.resource_id = vm;
    nic.resource_name = std::to_string(vm * 100);
    nic.offering_id = 30 + Pick(0, 2);
    nic.size = 1;
    Add(nic);

    // Run/stop cycles until the end, with an occasional upgrade while stopped.
    Instant t = created + seconds(Pick(1, 600));
    bool destroyed = false;
    while (t < end && !destroyed) {
      Add(vm_event("VM.START", t));
      Instant stop = t + seconds(Pick(600, 3 * 86400));
      if (stop >= end) break;
      Add(vm_event("VM.STOP", stop));
      t = stop + seconds(Pick(60, 86400));
      if (t < end && Chance(0.15)) {
        offering = Pick(1, 4);
        Add(vm_event("VM.UPGRADE", stop + seconds(30)));
      }
      if (t < end && Chance(0.08)) {
        EventSpec resize = vol;
        resize.type = "VOLUME.RESIZE";
        resize.created = stop + seconds(45);
        resize.size = *vol.size * 2;
        vol.size = resize.size;
        Add(resize);
      }
      if (t < end && Chance(0.05)) {
        Instant gone = stop + seconds(120);
        Add(vm_event("VM.DESTROY", gone));
        EventSpec del = vol;
        del.type = "VOLUME.DELETE";
        del.created = gone;
        Add(del);
        EventSpec drop = nic;
        drop.type = "NETWORK.OFFERING.REMOVE";
        drop.created = gone;
        Add(drop);
        destroyed = true;
      }
    }
  }

  void Ip(int64_t account, int64_t ip, Instant end) {
    EventSpec e;
    e.type = "NET.IPASSIGN";
    e.account_id = account;
    e.created = RandomTime(spec_.start, end);
    e.resource_id = ip;
    e.resource_name = "10.1." + std::to_string(ip / 250) + "." + std::to_string(ip % 250);
    e.size = Chance(0.5) ? 1 : 0;
    Add(e);
    if (Chance(0.5)) {
      e.type = "NET.IPRELEASE";
      e.created = RandomTime(e.created, end);
      Add(e);
    }
  }

  // A network that changes state, with a security group, a load balancer
  // and a VPN user who comes and goes; some are removed before the end.
  void NetworkRules(int64_t account, Instant end) {
    auto event = [account](const char* type, Instant t, int64_t resource,
                           std::optional<int64_t> offering = std::nullopt) {
      return ResourceEvent(type, account, t, resource, offering);
    };
    const Instant created = RandomTime(spec_.start, end);
    const int64_t network = account * 10 + 2;
    Add(event("NETWORK.CREATE", created, network, 40));
    Instant t = created;
    for (const char* state : {"Implemented", "Shutdown", "Implemented"}) {
      t = RandomTime(t, end);
      EventSpec update = event("NETWORK.UPDATE", t, network, 40 + Pick(0, 1));
      update.resource_type = state;
      Add(update);
    }
    if (Chance(0.3)) Add(event("NETWORK.DELETE", RandomTime(t, end), network, 40));
    Add(event("SG.ASSIGN", RandomTime(spec_.start, end), account * 1000, 7));
    const Instant lb = RandomTime(spec_.start, end);
    Add(event("LB.CREATE", lb, account * 10 + 3));
    if (Chance(0.5)) Add(event("LB.DELETE", RandomTime(lb, end), account * 10 + 3));
    Instant vpn = RandomTime(spec_.start, end);
    for (int i = 0; i < 3 && vpn < end; ++i) {
      EventSpec add = event("VPN.USER.ADD", vpn, account * 10 + 4);
      add.resource_name = "user" + std::to_string(account);
      Add(add);
      vpn = RandomTime(vpn, end);
      add.type = "VPN.USER.REMOVE";
      add.created = vpn;
      Add(add);
      vpn = RandomTime(vpn, end);
    }
  }

  std::vector<EventSpec>& events() {
    std::stable_sort(events_.begin(), events_.end(),
                     [](const EventSpec& a, const EventSpec& b) { return a.created < b.created; });
    return events_;
  }

 private:
  const RandomCloudSpec& spec_;
  std::mt19937_64 rng_;
  std::vector<EventSpec> events_;
};

}  // namespace

RandomCloudStats WriteRandomCloud(store::Connection& conn, const RandomCloudSpec& spec) {
  CloudWriter cloud(conn);
  HistoryBuilder history(spec);
  const Instant end = spec.start + std::chrono::hours(24 * spec.days);
  RandomCloudStats stats;
  store::Transaction tx(conn);
  int64_t root = cloud.AddDomain("ROOT", std::nullopt);
  int64_t parent = root;
  for (int a = 0; a < spec.accounts; ++a) {
    if (a % 5 == 0) parent = cloud.AddDomain("d" + std::to_string(a), a % 10 == 0 ? root : parent);
    int64_t account = cloud.AddAccount("acct" + std::to_string(a), parent);
    ++stats.accounts;
    for (int v = 0; v < spec.vms_per_account; ++v) {
      history.Vm(account, account * 1000 + v, end);
    }
    history.Ip(account, account * 10 + 1, end);
    history.NetworkRules(account, end);
  }
  for (const auto& e : history.events()) {
    cloud.AddEvent(e);
    ++stats.events;
  }
  tx.Commit();
  return stats;
}

}  // namespace usaged::sim
