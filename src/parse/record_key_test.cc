#include "parse/record_key.h"

#include <gtest/gtest.h>

#include "core/usage_types.h"

namespace usaged::parse {
namespace {

UsageRecord Record(int type) {
  UsageRecord r;
  r.usage_type = type;
  r.account_id = 5;
  r.zone_id = 1;
  r.start_date = ParseUtc("2026-01-03 00:00:00");
  r.end_date = ParseUtc("2026-01-03 23:59:59");
  return r;
}

// The key text is what usage_key hashes: records billed before and after a
// change to how the fields are listed must keep their keys.
TEST(RecordKeyTest, KeyTextIsStable) {
  UsageRecord vm = Record(usage_type::kRunningVm);
  vm.vm_instance_id = 7;
  vm.offering_id = 2;
  EXPECT_EQ(NaturalKeyText(vm),
            "t=1/a=5/vm=7/so=2/cores=null/speed=null/mem=null/2026-01-03 00:00:00/"
            "2026-01-03 23:59:59");
  UsageRecord network = Record(usage_type::kNetwork);
  network.usage_id = 9;
  network.offering_id = 40;
  network.state = "Implemented";
  EXPECT_EQ(SeriesKeyText(network), "t=30/a=5/net=9/no=40/state=Implemented");
  UsageRecord snapshot = Record(usage_type::kVmSnapshot);
  snapshot.vm_instance_id = 7;
  snapshot.usage_id = 3;
  snapshot.description = "vm-7 snapshot of ROOT-70";
  EXPECT_EQ(SeriesKeyText(snapshot), "t=25/a=5/vm=7/snap=3/vm-7 snapshot of ROOT-70");
  UsageRecord bytes = Record(usage_type::kNetworkBytesSent);
  bytes.network_id = 9;
  EXPECT_EQ(SeriesKeyText(bytes),
            "t=4/a=5/zone=1/usage=null/vm=null/offering=null/template=null/size=null/net=9/"
            "type=null");
  network.row_start = ParseUtc("2026-01-03 12:00:00");
  EXPECT_EQ(NaturalKeyText(network),
            "t=30/a=5/net=9/no=40/state=Implemented/2026-01-03 00:00:00/2026-01-03 23:59:59/"
            "row=2026-01-03 12:00:00.000");
}

// Records that differ in a key field have different keys; KeyFieldValue reads
// every column KeyFields names.
TEST(RecordKeyTest, EveryKeyFieldTellsRecordsApart) {
  for (int type : {1, 2, 3, 4, 6, 7, 13, 14, 21, 25, 27, 28, 29, 30, 31}) {
    for (const KeyField& f : KeyFields(type)) {
      UsageRecord a = Record(type), b = Record(type);
      EXPECT_EQ(KeyFieldValue(a, f.column), KeyFieldValue(b, f.column));
      if (f.column == "zone_id") b.zone_id = 2;
      else if (f.column == "description") b.description = "other";
      else if (f.column == "vm_name") b.vm_name = "other";
      else if (f.column == "type") b.type = "other";
      else if (f.column == "state") b.state = "other";
      else if (f.column == "vm_instance_id") b.vm_instance_id = 1;
      else if (f.column == "offering_id") b.offering_id = 1;
      else if (f.column == "template_id") b.template_id = 1;
      else if (f.column == "usage_id") b.usage_id = 1;
      else if (f.column == "size") b.size = 1;
      else if (f.column == "network_id") b.network_id = 1;
      else if (f.column == "virtual_size") b.virtual_size = 1;
      else if (f.column == "cpu_cores") b.cpu_cores = 1;
      else if (f.column == "cpu_speed") b.cpu_speed = 1;
      else if (f.column == "memory") b.memory = 1;
      else ADD_FAILURE() << "unknown column " << f.column;
      EXPECT_NE(NaturalKey(a), NaturalKey(b)) << "type " << type << " " << f.column;
    }
  }
}

}  // namespace
}  // namespace usaged::parse
