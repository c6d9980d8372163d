DROP INDEX IF EXISTS ${usage}.i_usaged_ip_address__window;
DROP INDEX IF EXISTS ${usage}.i_usaged_network_offering__window;
DROP INDEX IF EXISTS ${usage}.i_usaged_volume__window;
DROP INDEX IF EXISTS ${usage}.i_usaged_vm_instance__window;
