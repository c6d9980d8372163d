#pragma once

#include <optional>
#include <string_view>
#include <vector>

namespace usaged {

// CloudStack's usage type ids (org.apache.cloudstack.usage.UsageTypes).
namespace usage_type {
inline constexpr int kRunningVm = 1;
inline constexpr int kAllocatedVm = 2;
inline constexpr int kIpAddress = 3;
inline constexpr int kNetworkBytesSent = 4;
inline constexpr int kNetworkBytesReceived = 5;
inline constexpr int kVolume = 6;
inline constexpr int kTemplate = 7;
inline constexpr int kIso = 8;
inline constexpr int kSnapshot = 9;
inline constexpr int kSecurityGroup = 10;
inline constexpr int kLoadBalancerPolicy = 11;
inline constexpr int kPortForwardingRule = 12;
inline constexpr int kNetworkOffering = 13;
inline constexpr int kVpnUsers = 14;
inline constexpr int kVmDiskIoRead = 21;
inline constexpr int kVmDiskIoWrite = 22;
inline constexpr int kVmDiskBytesRead = 23;
inline constexpr int kVmDiskBytesWrite = 24;
inline constexpr int kVmSnapshot = 25;
inline constexpr int kVolumeSecondary = 26;
inline constexpr int kVmSnapshotOnPrimary = 27;
inline constexpr int kBackup = 28;
inline constexpr int kBucket = 29;
inline constexpr int kNetwork = 30;
inline constexpr int kVpc = 31;
}  // namespace usage_type

struct UsageTypeInfo {
  int id;
  std::string_view name;         // e.g. "RUNNING_VM"
  std::string_view description;  // as listUsageTypes returns it
  bool time_based;               // raw_usage is hours (false: bytes or I/O counts)
};

// Every type, ordered by id.
const std::vector<UsageTypeInfo>& AllUsageTypes();
const UsageTypeInfo* FindUsageType(int id);

}  // namespace usaged
