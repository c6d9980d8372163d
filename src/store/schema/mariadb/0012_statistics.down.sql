DROP INDEX IF EXISTS `i_usaged_usage_vm_disk__time` ON ${usage}.`usage_vm_disk`;
DROP INDEX IF EXISTS `i_usaged_usage_network__time` ON ${usage}.`usage_network`;
DROP TABLE IF EXISTS ${usage}.`usaged_bucket_usage`;
DROP TABLE IF EXISTS ${usage}.`usaged_stat_snapshot`;
