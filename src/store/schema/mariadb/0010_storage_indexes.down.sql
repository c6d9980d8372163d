DROP INDEX IF EXISTS `i_usaged_backup__vm` ON ${usage}.`usage_backup`;
DROP INDEX IF EXISTS `i_usaged_backup__window` ON ${usage}.`usage_backup`;
DROP INDEX IF EXISTS `i_usaged_snapshot_on_primary__vm` ON ${usage}.`usage_snapshot_on_primary`;
DROP INDEX IF EXISTS `i_usaged_snapshot_on_primary__window` ON ${usage}.`usage_snapshot_on_primary`;
DROP INDEX IF EXISTS `i_usaged_vmsnapshot__vm` ON ${usage}.`usage_vmsnapshot`;
DROP INDEX IF EXISTS `i_usaged_vmsnapshot__window` ON ${usage}.`usage_vmsnapshot`;
DROP INDEX IF EXISTS `i_usaged_storage__entity` ON ${usage}.`usage_storage`;
DROP INDEX IF EXISTS `i_usaged_storage__window` ON ${usage}.`usage_storage`;
