#include "ingest/helper_tables.h"

namespace usaged::ingest {
namespace {
constexpr ColumnType kInt = ColumnType::kInt;
constexpr ColumnType kText = ColumnType::kText;
}  // namespace

const TableDef kVmInstanceTable{
    "usage_vm_instance", "start_date", "end_date",
    {{"usage_type", kInt}, {"zone_id", kInt}, {"account_id", kInt}, {"vm_instance_id", kInt},
     {"vm_name", kText}, {"service_offering_id", kInt}, {"template_id", kInt},
     {"hypervisor_type", kText}, {"cpu_speed", kInt}, {"cpu_cores", kInt}, {"memory", kInt}},
    {"account_id", "vm_instance_id", "usage_type"}};

const TableDef kIpAddressTable{
    "usage_ip_address", "assigned", "released",
    {{"ip_id", kInt}, {"account_id", kInt}, {"domain_id", kInt}, {"zone_id", kInt},
     {"public_ip_address", kText}, {"is_source_nat", kInt}, {"is_system", kInt},
     {"is_hidden", kInt}},
    {"account_id", "ip_id"}};

const TableDef kVolumeTable{
    "usage_volume", "created", "deleted",
    {{"volume_id", kInt}, {"zone_id", kInt}, {"account_id", kInt}, {"domain_id", kInt},
     {"disk_offering_id", kInt}, {"template_id", kInt}, {"size", kInt}},
    {"account_id", "volume_id"}};

const TableDef kStorageTable{
    "usage_storage", "created", "deleted",
    {{"entity_id", kInt}, {"zone_id", kInt}, {"account_id", kInt}, {"domain_id", kInt},
     {"storage_type", kInt}, {"source_id", kInt}, {"size", kInt}, {"virtual_size", kInt}},
    {"account_id", "entity_id", "storage_type", "zone_id"}};

const TableDef kNetworkOfferingTable{
    "usage_network_offering", "created", "deleted",
    {{"zone_id", kInt}, {"account_id", kInt}, {"domain_id", kInt}, {"vm_instance_id", kInt},
     {"network_offering_id", kInt}, {"is_default", kInt}, {"nic_id", kInt}},
    {"account_id", "vm_instance_id", "nic_id", "network_offering_id"}};

// One row per (VM, volume) snapshot chain size: a VM snapshot created or
// deleted ends the previous size (`processed` is CloudStack's end column).
const TableDef kVmSnapshotTable{
    "usage_vmsnapshot", "created", "processed",
    {{"volume_id", kInt}, {"zone_id", kInt}, {"account_id", kInt}, {"domain_id", kInt},
     {"vm_id", kInt}, {"disk_offering_id", kInt}, {"size", kInt}, {"vm_snapshot_id", kInt}},
    {"account_id", "vm_id", "volume_id"}};

// CloudStack stores the VM id in volume_id too.
const TableDef kSnapshotOnPrimaryTable{
    "usage_snapshot_on_primary", "created", "deleted",
    {{"volume_id", kInt}, {"zone_id", kInt}, {"account_id", kInt}, {"domain_id", kInt},
     {"vm_id", kInt}, {"name", kText}, {"type", kInt}, {"physicalsize", kInt},
     {"virtualsize", kInt}, {"vm_snapshot_id", kInt}},
    {"account_id", "vm_id", "name"}};

const TableDef kBackupTable{
    "usage_backup", "created", "removed",
    {{"zone_id", kInt}, {"account_id", kInt}, {"domain_id", kInt}, {"vm_id", kInt},
     {"backup_offering_id", kInt}, {"size", kInt}, {"protected_size", kInt}},
    // A VM may keep billed backups of one offering while assigned to another.
    {"account_id", "vm_id", "backup_offering_id"}};

const TableDef kSecurityGroupTable{
    "usage_security_group", "created", "deleted",
    {{"zone_id", kInt}, {"account_id", kInt}, {"domain_id", kInt}, {"vm_instance_id", kInt},
     {"security_group_id", kInt}},
    {"account_id", "vm_instance_id", "security_group_id"}};

const TableDef kLoadBalancerTable{
    "usage_load_balancer_policy", "created", "deleted",
    {{"lb_id", kInt}, {"zone_id", kInt}, {"account_id", kInt}, {"domain_id", kInt}},
    {"account_id", "lb_id"}};

const TableDef kPortForwardingTable{
    "usage_port_forwarding", "created", "deleted",
    {{"pf_id", kInt}, {"zone_id", kInt}, {"account_id", kInt}, {"domain_id", kInt}},
    {"account_id", "pf_id"}};

const TableDef kVpnUserTable{
    "usage_vpn_user", "created", "deleted",
    {{"zone_id", kInt}, {"account_id", kInt}, {"domain_id", kInt}, {"user_id", kInt},
     {"user_name", kText}},
    {"account_id", "zone_id", "user_id"}};

const TableDef kNetworksTable{
    "usage_networks", "created", "removed",
    {{"network_offering_id", kInt}, {"zone_id", kInt}, {"network_id", kInt}, {"account_id", kInt},
     {"domain_id", kInt}, {"state", kText}},
    {"network_id"}};

const TableDef kVpcTable{
    "usage_vpc", "created", "removed",
    {{"vpc_id", kInt}, {"zone_id", kInt}, {"account_id", kInt}, {"domain_id", kInt},
     {"state", kText}},
    {"vpc_id"}};

const std::vector<const TableDef*>& AllIntervalTables() {
  static const std::vector<const TableDef*> tables = {
      &kVmInstanceTable,     &kIpAddressTable,         &kVolumeTable,
      &kStorageTable,        &kNetworkOfferingTable,   &kVmSnapshotTable,
      &kSnapshotOnPrimaryTable, &kBackupTable,         &kSecurityGroupTable,
      &kLoadBalancerTable,   &kPortForwardingTable,    &kVpnUserTable,
      &kNetworksTable,       &kVpcTable};
  return tables;
}

}  // namespace usaged::ingest
