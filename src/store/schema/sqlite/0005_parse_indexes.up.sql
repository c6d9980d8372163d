-- Covering indexes for the parse queries: a window reads the open rows
-- (end NULL, adjacent in the index) and the rows closed inside it, without
-- visiting the table, so the cost of a window does not grow with history.
CREATE INDEX IF NOT EXISTS ${usage}.i_usaged_vm_instance__window ON usage_vm_instance
  (end_date, start_date, account_id, usage_type, zone_id, vm_instance_id, service_offering_id,
   template_id, cpu_cores, cpu_speed, memory, vm_name, hypervisor_type);
CREATE INDEX IF NOT EXISTS ${usage}.i_usaged_volume__window ON usage_volume
  (deleted, created, account_id, zone_id, volume_id, disk_offering_id, template_id, size);
CREATE INDEX IF NOT EXISTS ${usage}.i_usaged_network_offering__window ON usage_network_offering
  (deleted, created, account_id, zone_id, vm_instance_id, network_offering_id, is_default);
CREATE INDEX IF NOT EXISTS ${usage}.i_usaged_ip_address__window ON usage_ip_address
  (released, assigned, account_id, zone_id, ip_id, public_ip_address, is_source_nat, is_system,
   is_hidden);
