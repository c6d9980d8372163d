// `usaged types` (listUsageTypes) and the conformance coverage of every type.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <sstream>

#include "core/usage_types.h"
#include "support/test_env.h"

namespace usaged::testing {
namespace {

// CloudStack's UsageTypes (id, constant, listUsageTypes description), written
// out here from CloudStack's source so the binary's list is checked against
// an independent copy.
constexpr const char* kCloudStackTypes =
    "usagetypeid,name,description\n"
    "1,RUNNING_VM,Running Vm Usage\n"
    "2,ALLOCATED_VM,Allocated Vm Usage\n"
    "3,IP_ADDRESS,IP Address Usage\n"
    "4,NETWORK_BYTES_SENT,Network Usage (Bytes Sent)\n"
    "5,NETWORK_BYTES_RECEIVED,Network Usage (Bytes Received)\n"
    "6,VOLUME,Volume Usage\n"
    "7,TEMPLATE,Template Usage\n"
    "8,ISO,ISO Usage\n"
    "9,SNAPSHOT,Snapshot Usage\n"
    "10,SECURITY_GROUP,Security Group Usage\n"
    "11,LOAD_BALANCER_POLICY,Load Balancer Usage\n"
    "12,PORT_FORWARDING_RULE,Port Forwarding Usage\n"
    "13,NETWORK_OFFERING,Network Offering Usage\n"
    "14,VPN_USERS,VPN users usage\n"
    "21,VM_DISK_IO_READ,VM Disk usage(I/O Read)\n"
    "22,VM_DISK_IO_WRITE,VM Disk usage(I/O Write)\n"
    "23,VM_DISK_BYTES_READ,VM Disk usage(Bytes Read)\n"
    "24,VM_DISK_BYTES_WRITE,VM Disk usage(Bytes Write)\n"
    "25,VM_SNAPSHOT,VM Snapshot storage usage\n"
    "26,VOLUME_SECONDARY,Volume on secondary storage usage\n"
    "27,VM_SNAPSHOT_ON_PRIMARY,VM Snapshot on primary storage usage\n"
    "28,BACKUP,Backup storage usage\n"
    "29,BUCKET,Bucket storage usage\n"
    "30,NETWORK,Network usage\n"
    "31,VPC,VPC usage\n";

TEST(UsageTypesTest, ListMatchesCloudStacksTypes) {
  CliResult csv = RunCli({"types", "--format", "csv"});
  ASSERT_EQ(csv.exit_code, 0) << csv.err;
  EXPECT_EQ(csv.out, kCloudStackTypes);
  CliResult json = RunCli({"types", "--format", "json"});
  ASSERT_EQ(json.exit_code, 0) << json.err;
  EXPECT_NE(json.out.find("\"Network Usage (Bytes Sent)\""), std::string::npos) << json.out;
}

// Every type has at least three conformance scenarios that expect its records.
TEST(UsageTypesTest, EveryTypeHasThreeConformanceScenarios) {
  std::map<int, int> scenarios_per_type;
  const std::regex expects_type(R"(^expect(_count \d+)? .*usage_type=(\d+))");
  for (const auto& entry :
       std::filesystem::recursive_directory_iterator(USAGED_SOURCE_DIR "/tests/scenarios")) {
    if (entry.path().extension() != ".scenario") continue;
    std::ifstream in(entry.path());
    std::set<int> types;
    std::string line;
    std::smatch m;
    while (std::getline(in, line)) {
      if (std::regex_search(line, m, expects_type)) types.insert(std::stoi(m[2]));
    }
    for (int t : types) ++scenarios_per_type[t];
  }
  for (const auto& type : AllUsageTypes()) {
    EXPECT_GE(scenarios_per_type[type.id], 3) << type.name;
  }
}

}  // namespace
}  // namespace usaged::testing
