#pragma once

#include "ingest/interval_table.h"

namespace usaged::ingest {

// CloudStack's helper tables of resource lifetimes (4.21 columns).
extern const TableDef kVmInstanceTable;       // usage_vm_instance
extern const TableDef kIpAddressTable;        // usage_ip_address
extern const TableDef kVolumeTable;           // usage_volume
extern const TableDef kStorageTable;          // usage_storage
extern const TableDef kNetworkOfferingTable;  // usage_network_offering
extern const TableDef kVmSnapshotTable;       // usage_vmsnapshot (end column: processed)
extern const TableDef kSnapshotOnPrimaryTable;  // usage_snapshot_on_primary
extern const TableDef kBackupTable;           // usage_backup
extern const TableDef kSecurityGroupTable;    // usage_security_group
extern const TableDef kLoadBalancerTable;     // usage_load_balancer_policy
extern const TableDef kPortForwardingTable;   // usage_port_forwarding
extern const TableDef kVpnUserTable;          // usage_vpn_user
extern const TableDef kNetworksTable;         // usage_networks
extern const TableDef kVpcTable;              // usage_vpc

// Every helper table of resource lifetimes.
const std::vector<const TableDef*>& AllIntervalTables();

// CloudStack's StorageTypes (usage_storage.storage_type).
namespace storage_type {
inline constexpr int64_t kTemplate = 1;
inline constexpr int64_t kIso = 2;
inline constexpr int64_t kSnapshot = 3;
inline constexpr int64_t kVolume = 4;
}  // namespace storage_type

}  // namespace usaged::ingest
