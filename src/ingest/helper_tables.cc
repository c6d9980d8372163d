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

const std::vector<const TableDef*>& AllIntervalTables() {
  static const std::vector<const TableDef*> tables = {
      &kVmInstanceTable, &kIpAddressTable, &kVolumeTable, &kStorageTable, &kNetworkOfferingTable};
  return tables;
}

}  // namespace usaged::ingest
