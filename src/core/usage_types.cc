#include "core/usage_types.h"

namespace usaged {

const std::vector<UsageTypeInfo>& AllUsageTypes() {
  static const std::vector<UsageTypeInfo> types = {
      {1, "RUNNING_VM", "Running Vm Usage", true},
      {2, "ALLOCATED_VM", "Allocated Vm Usage", true},
      {3, "IP_ADDRESS", "IP Address Usage", true},
      {4, "NETWORK_BYTES_SENT", "Network Usage (Bytes Sent)", false},
      {5, "NETWORK_BYTES_RECEIVED", "Network Usage (Bytes Received)", false},
      {6, "VOLUME", "Volume Usage", true},
      {7, "TEMPLATE", "Template Usage", true},
      {8, "ISO", "ISO Usage", true},
      {9, "SNAPSHOT", "Snapshot Usage", true},
      {10, "SECURITY_GROUP", "Security Group Usage", true},
      {11, "LOAD_BALANCER_POLICY", "Load Balancer Usage", true},
      {12, "PORT_FORWARDING_RULE", "Port Forwarding Usage", true},
      {13, "NETWORK_OFFERING", "Network Offering Usage", true},
      {14, "VPN_USERS", "VPN users usage", true},
      {21, "VM_DISK_IO_READ", "VM Disk usage(I/O Read)", false},
      {22, "VM_DISK_IO_WRITE", "VM Disk usage(I/O Write)", false},
      {23, "VM_DISK_BYTES_READ", "VM Disk usage(Bytes Read)", false},
      {24, "VM_DISK_BYTES_WRITE", "VM Disk usage(Bytes Write)", false},
      {25, "VM_SNAPSHOT", "VM Snapshot storage usage", true},
      {26, "VOLUME_SECONDARY", "Volume on secondary storage usage", true},
      {27, "VM_SNAPSHOT_ON_PRIMARY", "VM Snapshot on primary storage usage", true},
      {28, "BACKUP", "Backup storage usage", true},
      {29, "BUCKET", "Bucket storage usage", false},
      {30, "NETWORK", "Network usage", true},
      {31, "VPC", "VPC usage", true},
  };
  return types;
}

const UsageTypeInfo* FindUsageType(int id) {
  for (const auto& t : AllUsageTypes()) {
    if (t.id == id) return &t;
  }
  return nullptr;
}

}  // namespace usaged
