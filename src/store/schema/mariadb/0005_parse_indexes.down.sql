DROP INDEX IF EXISTS `i_usaged_ip_address__window` ON ${usage}.`usage_ip_address`;
DROP INDEX IF EXISTS `i_usaged_network_offering__window` ON ${usage}.`usage_network_offering`;
DROP INDEX IF EXISTS `i_usaged_volume__window` ON ${usage}.`usage_volume`;
DROP INDEX IF EXISTS `i_usaged_vm_instance__window` ON ${usage}.`usage_vm_instance`;
