DROP INDEX IF EXISTS ${usage}.i_usaged_usage_vm_disk__time;
DROP INDEX IF EXISTS ${usage}.i_usaged_usage_network__time;
DROP TABLE IF EXISTS ${usage}.usaged_bucket_usage;
DROP TABLE IF EXISTS ${usage}.usaged_stat_snapshot;
