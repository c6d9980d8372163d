-- Covering indexes for the parse queries of templates, ISOs, snapshots,
-- uploaded volumes, VM snapshots and backups (see 0005_parse_indexes), and
-- for the event handlers' look-ups by resource: the cost of a window does not
-- grow with the closed history behind it.
CREATE INDEX IF NOT EXISTS ${usage}.i_usaged_storage__window ON usage_storage
  (deleted, created, account_id, zone_id, entity_id, storage_type, source_id, size, virtual_size);
CREATE INDEX IF NOT EXISTS ${usage}.i_usaged_storage__entity ON usage_storage (entity_id);
CREATE INDEX IF NOT EXISTS ${usage}.i_usaged_vmsnapshot__window ON usage_vmsnapshot
  (processed, created, account_id, zone_id, vm_id, volume_id, disk_offering_id, size,
   vm_snapshot_id);
CREATE INDEX IF NOT EXISTS ${usage}.i_usaged_vmsnapshot__vm ON usage_vmsnapshot (vm_id);
CREATE INDEX IF NOT EXISTS ${usage}.i_usaged_snapshot_on_primary__window
  ON usage_snapshot_on_primary
  (deleted, created, account_id, zone_id, vm_id, name, physicalsize, virtualsize, vm_snapshot_id);
CREATE INDEX IF NOT EXISTS ${usage}.i_usaged_snapshot_on_primary__vm
  ON usage_snapshot_on_primary (vm_id);
CREATE INDEX IF NOT EXISTS ${usage}.i_usaged_backup__window ON usage_backup
  (removed, created, account_id, zone_id, vm_id, backup_offering_id, size, protected_size);
CREATE INDEX IF NOT EXISTS ${usage}.i_usaged_backup__vm ON usage_backup (vm_id);
