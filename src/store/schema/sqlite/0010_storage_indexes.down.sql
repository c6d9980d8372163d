DROP INDEX IF EXISTS ${usage}.i_usaged_backup__vm;
DROP INDEX IF EXISTS ${usage}.i_usaged_backup__window;
DROP INDEX IF EXISTS ${usage}.i_usaged_snapshot_on_primary__vm;
DROP INDEX IF EXISTS ${usage}.i_usaged_snapshot_on_primary__window;
DROP INDEX IF EXISTS ${usage}.i_usaged_vmsnapshot__vm;
DROP INDEX IF EXISTS ${usage}.i_usaged_vmsnapshot__window;
DROP INDEX IF EXISTS ${usage}.i_usaged_storage__entity;
DROP INDEX IF EXISTS ${usage}.i_usaged_storage__window;
