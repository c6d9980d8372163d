#include "sim/demo_storage.h"

namespace usaged::sim {
namespace {

using std::chrono::hours;
using std::chrono::minutes;

constexpr int64_t kMiB = 1024LL * 1024;
constexpr int64_t kGiB = 1024 * kMiB;

EventSpec Event(const char* type, int64_t account, Instant t, int64_t resource,
                std::string name, std::optional<int64_t> size = std::nullopt) {
  EventSpec e;
  e.type = type;
  e.account_id = account;
  e.created = t;
  e.resource_id = resource;
  e.resource_name = std::move(name);
  e.size = size;
  return e;
}

// A VM snapshot event for one volume: template_id carries the volume, size
// the volume's snapshot chain size.
EventSpec VmSnapshot(const char* type, int64_t account, Instant t, int64_t vm, int64_t volume,
                     int64_t chain_size, int64_t snapshot) {
  EventSpec e = Event(type, account, t, vm, "web-1-snap", chain_size);
  e.template_id = volume;
  e.resource_type = "com.cloud.vm.snapshot.VMSnapshot";
  e.details = {{"vmSnapshotId", std::to_string(snapshot)}};
  return e;
}

}  // namespace

void WriteDemoStorage(CloudWriter& cloud, const DemoStorageOwners& owners, Instant start) {
  auto at = [start](int day, int h, int m = 0) { return start + hours(24 * day + h) + minutes(m); };

  // web: a golden template copied to zone 2, a rescue ISO, a nightly snapshot
  // of its root volume and a VM snapshot on day 1.
  EventSpec tmpl = Event("TEMPLATE.CREATE", owners.web, at(0, 10), 801, "golden", 2 * kGiB);
  tmpl.virtual_size = 20 * kGiB;
  tmpl.template_id = 200;
  cloud.AddEvent(tmpl);
  tmpl.type = "TEMPLATE.COPY";
  tmpl.zone_id = 2;
  tmpl.created = at(1, 4);
  cloud.AddEvent(tmpl);
  cloud.AddEvent(Event("ISO.CREATE", owners.web, at(0, 11), 802, "rescue", 700 * kMiB));
  cloud.AddEvent(Event("ISO.DELETE", owners.web, at(1, 15), 802, "rescue"));
  EventSpec snap = Event("SNAPSHOT.CREATE", owners.web, at(0, 22), 803, "web-1-root-nightly",
                         3 * kGiB);
  snap.virtual_size = 20 * kGiB;
  cloud.AddEvent(snap);
  cloud.AddEvent(Event("SNAPSHOT.DELETE", owners.web, at(2, 22), 803, "web-1-root-nightly"));

  cloud.AddEvent(VmSnapshot("VMSNAPSHOT.CREATE", owners.web, at(1, 9), 101, 501,
                            1228 * kMiB, 950));
  EventSpec on = Event("VMSNAPSHOT.ON_PRIMARY", owners.web, at(1, 9), 101,
                       "i-2-101-VM_VS_20260302090000", 300 * kMiB);
  on.virtual_size = 20 * kGiB;
  on.details = {{"vmSnapshotId", "950"}};
  cloud.AddEvent(on);
  cloud.AddEvent(VmSnapshot("VMSNAPSHOT.DELETE", owners.web, at(2, 9), 101, 501, 0, 950));
  on.type = "VMSNAPSHOT.OFF_PRIMARY";
  on.created = at(2, 9);
  cloud.AddEvent(on);

  // db: a volume uploaded on day 0 and attached on day 1.
  cloud.AddEvent(Event("VOLUME.UPLOAD", owners.db, at(0, 12), 504, "import", kGiB));
  EventSpec attach = Event("VOLUME.CREATE", owners.db, at(1, 10), 504, "import", kGiB);
  attach.offering_id = 3;
  cloud.AddEvent(attach);
  cloud.AddEvent(Event("VOLUME.DELETE", owners.db, at(2, 17, 30), 504, "import"));

  // batch: a backup offering whose backups grow.
  EventSpec backup = Event("BACKUP.OFFERING.ASSIGN", owners.batch, at(0, 14), 103,
                           "Backup-batch-1");
  backup.offering_id = 2;
  backup.resource_type = "Backup";
  cloud.AddEvent(backup);
  backup.type = "BACKUP.USAGE.METRIC";
  for (auto [day, gib] : {std::pair{1, 5}, std::pair{2, 6}}) {
    backup.created = at(day, 2);
    backup.size = gib * kGiB;
    backup.virtual_size = 20 * kGiB;
    cloud.AddEvent(backup);
  }
}

}  // namespace usaged::sim
