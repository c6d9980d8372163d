#include "sim/random_cloud.h"

#include <fmt/format.h>

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

  // Storage of one account whose first VM is `vm`: a template copied to a
  // second zone, an ISO, a volume snapshot, an uploaded volume that may be
  // attached, the VM's snapshots (chain sizes and space on primary) and a
  // backup offering whose sizes change; some are deleted before the end.
  void Storage(int64_t account, int64_t vm, Instant end) {
    constexpr int64_t kGiB = 1024LL * 1024 * 1024;
    auto event = [account](const char* type, Instant t, int64_t resource,
                           std::optional<int64_t> size = std::nullopt) {
      EventSpec e = ResourceEvent(type, account, t, resource);
      e.resource_name = std::string(type) + "-" + std::to_string(resource);
      e.size = size;
      return e;
    };
    auto maybe_delete = [&](EventSpec e, const char* type) {
      if (!Chance(0.5)) return;
      e.type = type;
      e.created = RandomTime(e.created, end);
      e.size.reset();
      e.virtual_size.reset();
      Add(e);
    };
    EventSpec tmpl = event("TEMPLATE.CREATE", RandomTime(spec_.start, end), account * 100 + 1,
                           int64_t{Pick(1, 4)} * kGiB);
    tmpl.virtual_size = 20 * kGiB;
    tmpl.template_id = 200;
    Add(tmpl);
    if (Chance(0.5)) {
      EventSpec copy = tmpl;
      copy.type = "TEMPLATE.COPY";
      copy.zone_id = 2;
      copy.created = RandomTime(tmpl.created, end);
      Add(copy);
    }
    maybe_delete(tmpl, "TEMPLATE.DELETE");
    EventSpec iso = event("ISO.CREATE", RandomTime(spec_.start, end), account * 100 + 2,
                          int64_t{Pick(300, 900)} * 1024 * 1024);
    Add(iso);
    maybe_delete(iso, "ISO.DELETE");
    EventSpec snap = event("SNAPSHOT.CREATE", RandomTime(spec_.start, end), account * 100 + 3,
                           int64_t{Pick(1, 6)} * kGiB);
    snap.virtual_size = 20 * kGiB;
    Add(snap);
    maybe_delete(snap, "SNAPSHOT.DELETE");
    EventSpec upload = event("VOLUME.UPLOAD", RandomTime(spec_.start, end), account * 100 + 4,
                             int64_t{Pick(1, 4)} * kGiB);
    Add(upload);
    if (Chance(0.5)) {
      EventSpec attach = upload;
      attach.type = "VOLUME.CREATE";
      attach.created = RandomTime(upload.created, end);
      attach.offering_id = 3;
      Add(attach);
      maybe_delete(attach, "VOLUME.DELETE");
    }

    // VM snapshots of the root volume (template_id carries the volume).
    Instant t = RandomTime(spec_.start, end);
    int64_t chain = 0;
    for (int64_t snapshot = account * 100 + 10; snapshot < account * 100 + 13 && t < end;
         ++snapshot) {
      const bool create = chain == 0 || Chance(0.6);
      chain = create ? chain + int64_t{Pick(100, 900)} * 1024 * 1024 : 0;
      EventSpec e = event(create ? "VMSNAPSHOT.CREATE" : "VMSNAPSHOT.DELETE", t, vm, chain);
      e.template_id = vm * 10;
      e.resource_name = "vm-" + std::to_string(vm) + "-snap";
      e.details = {{"vmSnapshotId", std::to_string(snapshot)}};
      Add(e);
      if (create) {
        EventSpec on = e;
        on.type = "VMSNAPSHOT.ON_PRIMARY";
        on.resource_name = "vm-" + std::to_string(vm) + "-snap-" + std::to_string(snapshot);
        on.size = int64_t{Pick(50, 500)} * 1024 * 1024;
        on.virtual_size = 20 * kGiB;
        on.template_id.reset();
        Add(on);
        if (Chance(0.5)) {
          on.type = "VMSNAPSHOT.OFF_PRIMARY";
          on.created = RandomTime(t, end);
          Add(on);
        }
      }
      t = RandomTime(t + seconds(1), end);
    }

    // A backup offering whose backups grow, and sometimes a second one.
    for (int64_t offering : {int64_t{2}, int64_t{3}}) {
      if (offering == 3 && Chance(0.5)) break;
      EventSpec backup = event("BACKUP.OFFERING.ASSIGN", RandomTime(spec_.start, end), vm);
      backup.offering_id = offering;
      backup.resource_type = "Backup";
      Add(backup);
      Instant metric = backup.created;
      for (int i = 0; i < 3; ++i) {
        metric = RandomTime(metric + seconds(1), end);
        if (metric >= end) break;
        EventSpec m = backup;
        m.type = "BACKUP.USAGE.METRIC";
        m.created = metric;
        m.size = int64_t{Pick(1, 8)} * kGiB;
        m.virtual_size = 20 * kGiB;
        Add(m);
      }
      if (Chance(0.4)) {
        backup.type = "BACKUP.OFFERING.BACKUPS.DEL";
        backup.created = RandomTime(metric, end);
        Add(backup);
      }
    }
  }

  // Port forwarding rules, a network implemented right after its creation
  // and a VPC that is deleted and created again (one record per helper row:
  // several in one window).
  void RulesAndVpc(int64_t account, Instant end) {
    // CloudStack's state machine passes through Implementing to Implemented
    // in one second, with an update for each: two events that differ only in
    // the state, and records of the network that differ only in the state.
    EventSpec network = ResourceEvent("NETWORK.CREATE", account, RandomTime(spec_.start, end),
                                      account * 100 + 22, 41);
    Add(network);
    network.type = "NETWORK.UPDATE";
    network.created = RandomTime(network.created, end);
    for (const char* state : {"Implementing", "Implemented"}) {
      network.resource_type = state;
      Add(network);
    }
    const Instant rule = RandomTime(spec_.start, end);
    Add(ResourceEvent("NET.RULEADD", account, rule, account * 100 + 20));
    if (Chance(0.5)) {
      Add(ResourceEvent("NET.RULEDELETE", account, RandomTime(rule, end), account * 100 + 20));
    }
    Instant t = RandomTime(spec_.start, end);
    for (int i = 0; i < 2 && t < end; ++i) {
      EventSpec create = ResourceEvent("VPC.CREATE", account, t, account * 100 + 21);
      create.resource_name = "vpc-" + std::to_string(account);
      Add(create);
      t = RandomTime(t + seconds(1), std::min(end, t + std::chrono::hours(12)));
      if (t >= end || Chance(0.3)) break;
      create.type = "VPC.DELETE";
      create.created = t;
      Add(create);
      t = RandomTime(t + seconds(1), std::min(end, t + std::chrono::hours(6)));
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
  const int64_t root = spec.parent_domain ? *spec.parent_domain
                                          : cloud.AddDomain("ROOT", std::nullopt);
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
    if (spec.every_usage_type) {
      history.Storage(account, account * 1000, end);
      history.RulesAndVpc(account, end);
    }
  }
  for (const auto& e : history.events()) {
    cloud.AddEvent(e);
    ++stats.events;
  }
  tx.Commit();
  return stats;
}

namespace {

// The accounts WriteRandomCloud creates, in order (ids as the writer gave them).
std::vector<int64_t> RandomCloudAccounts(store::Connection& conn, int count) {
  std::vector<int64_t> out;
  auto& q = conn.Prepare("SELECT id FROM ${cloud}.account WHERE account_name LIKE 'acct%' "
                         "ORDER BY id").Bind();
  while (q.Next() && static_cast<int>(out.size()) < count) out.push_back(q.Int(0));
  q.Reset();
  return out;
}

// Updates the row `where` names, or inserts it: statistics rows keep their id.
void Upsert(store::Connection& conn, const std::string& table, const std::string& where,
            const std::string& set, const std::string& columns, const std::string& values) {
  if (conn.QueryInt(fmt::format("SELECT count(*) FROM ${{cloud}}.{} WHERE {}", table, where))
          .value_or(0) > 0) {
    conn.Exec(fmt::format("UPDATE ${{cloud}}.{} SET {} WHERE {}", table, set, where));
  } else {
    conn.Exec(fmt::format("INSERT INTO ${{cloud}}.{} ({}) VALUES ({})", table, columns, values));
  }
}

}  // namespace

void WriteRandomStatistics(store::Connection& conn, const RandomCloudSpec& spec, int round) {
  // A counter's total after `round` rounds: the sum of each round's traffic,
  // drawn from a generator seeded by the spec, the counter and the round.
  auto total = [&](int64_t counter, int64_t scale) {
    int64_t sum = 0;
    for (int r = 1; r <= round; ++r) {
      std::mt19937_64 rng(spec.seed * 1000003ULL + static_cast<uint64_t>(counter) * 7919ULL +
                          static_cast<uint64_t>(r));
      sum += std::uniform_int_distribution<int64_t>(0, 1000)(rng) * scale;
    }
    return sum;
  };
  store::Transaction tx(conn);
  for (int64_t account : RandomCloudAccounts(conn, spec.accounts)) {
    const int64_t sent = total(account * 4, 4096), received = total(account * 4 + 1, 65536);
    Upsert(conn, "user_statistics",
           fmt::format("account_id = {} AND device_id = {}", account, account * 10 + 5),
           fmt::format("net_bytes_sent = {0}, net_bytes_received = {1}, current_bytes_sent = {2}, "
                       "current_bytes_received = {3}, agg_bytes_sent = {4}, "
                       "agg_bytes_received = {5}",
                       sent / 2, received / 2, sent - sent / 2, received - received / 2, sent,
                       received),
           "data_center_id, account_id, public_ip_address, device_id, device_type, network_id, "
           "net_bytes_sent, net_bytes_received, current_bytes_sent, current_bytes_received, "
           "agg_bytes_sent, agg_bytes_received",
           fmt::format("1, {}, '10.9.{}.{}', {}, 'DomainRouter', {}, {}, {}, {}, {}, {}, {}",
                       account, account / 250, account % 250, account * 10 + 5, account * 10 + 2,
                       sent / 2, received / 2, sent - sent / 2, received - received / 2, sent,
                       received));
    for (int v = 0; v < spec.vms_per_account; ++v) {
      const int64_t vm = account * 1000 + v;
      const int64_t reads = total(vm * 4 + 2, 1), writes = total(vm * 4 + 3, 1);
      const int64_t block = 64 * 1024;
      Upsert(conn, "vm_disk_statistics",
             fmt::format("account_id = {} AND vm_id = {} AND volume_id = {}", account, vm,
                         vm * 10),
             fmt::format("current_io_read = {0}, current_io_write = {1}, agg_io_read = {0}, "
                         "agg_io_write = {1}, current_bytes_read = {2}, current_bytes_write = {3}, "
                         "agg_bytes_read = {2}, agg_bytes_write = {3}",
                         reads, writes, reads * block, writes * block),
             "data_center_id, account_id, vm_id, volume_id, current_io_read, current_io_write, "
             "agg_io_read, agg_io_write, current_bytes_read, current_bytes_write, "
             "agg_bytes_read, agg_bytes_write",
             fmt::format("1, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}", account, vm, vm * 10,
                         reads, writes, reads, writes, reads * block, writes * block,
                         reads * block, writes * block));
    }
    // A bucket's size is a reading, not a counter: it may shrink, or be 0.
    std::mt19937_64 rng(spec.seed * 31ULL + static_cast<uint64_t>(account) * 131ULL +
                        static_cast<uint64_t>(round));
    const int64_t bucket_size = std::uniform_int_distribution<int64_t>(0, 4)(rng) << 30;
    Upsert(conn, "bucket_statistics",
           fmt::format("account_id = {} AND bucket_id = {}", account, account * 10 + 6),
           fmt::format("size = {}", bucket_size), "account_id, bucket_id, size",
           fmt::format("{}, {}, {}", account, account * 10 + 6, bucket_size));
  }
  tx.Commit();
}

}  // namespace usaged::sim
