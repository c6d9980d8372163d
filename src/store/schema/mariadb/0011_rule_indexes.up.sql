-- Indexes for security groups, load balancers, port forwarding rules, VPN
-- users, networks and VPCs: a covering index per parse query (open rows and
-- rows closed inside the window are adjacent, so a window's cost does not grow
-- with history) and one per resource for event application. Additive;
-- 0011_rule_indexes.down.sql removes them.
CREATE INDEX IF NOT EXISTS `i_usaged_security_group__window` ON ${usage}.`usage_security_group`
  (`deleted`, `created`, `account_id`, `zone_id`, `vm_instance_id`, `security_group_id`);
CREATE INDEX IF NOT EXISTS `i_usaged_security_group__resource` ON ${usage}.`usage_security_group`
  (`vm_instance_id`, `deleted`);
CREATE INDEX IF NOT EXISTS `i_usaged_load_balancer_policy__window` ON ${usage}.`usage_load_balancer_policy`
  (`deleted`, `created`, `account_id`, `zone_id`, `lb_id`);
CREATE INDEX IF NOT EXISTS `i_usaged_load_balancer_policy__resource` ON ${usage}.`usage_load_balancer_policy`
  (`lb_id`, `deleted`);
CREATE INDEX IF NOT EXISTS `i_usaged_port_forwarding__window` ON ${usage}.`usage_port_forwarding`
  (`deleted`, `created`, `account_id`, `zone_id`, `pf_id`);
CREATE INDEX IF NOT EXISTS `i_usaged_port_forwarding__resource` ON ${usage}.`usage_port_forwarding`
  (`pf_id`, `deleted`);
CREATE INDEX IF NOT EXISTS `i_usaged_vpn_user__window` ON ${usage}.`usage_vpn_user`
  (`deleted`, `created`, `account_id`, `zone_id`, `user_id`, `user_name`);
CREATE INDEX IF NOT EXISTS `i_usaged_vpn_user__resource` ON ${usage}.`usage_vpn_user`
  (`user_id`, `deleted`);
CREATE INDEX IF NOT EXISTS `i_usaged_networks__window` ON ${usage}.`usage_networks`
  (`removed`, `created`, `account_id`, `zone_id`, `network_id`, `network_offering_id`, `state`);
CREATE INDEX IF NOT EXISTS `i_usaged_networks__resource` ON ${usage}.`usage_networks`
  (`network_id`, `removed`);
CREATE INDEX IF NOT EXISTS `i_usaged_vpc__window` ON ${usage}.`usage_vpc`
  (`removed`, `created`, `account_id`, `zone_id`, `vpc_id`);
CREATE INDEX IF NOT EXISTS `i_usaged_vpc__resource` ON ${usage}.`usage_vpc`
  (`vpc_id`, `removed`);
