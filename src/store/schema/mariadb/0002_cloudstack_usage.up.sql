-- CloudStack 4.21's `cloud_usage` database tables, as CloudStack creates them
-- (create-schema-premium.sql plus its upgrades, including 4.16.1's surrogate
-- ids). Created only where missing. tests/upgraded_schema_test.cc checks these
-- tables against what CloudStack's upgrade path leaves.

CREATE TABLE IF NOT EXISTS ${usage}.`cloud_usage` (
  `id` bigint unsigned NOT NULL auto_increment,
  `zone_id` bigint unsigned NOT NULL,
  `account_id` bigint unsigned NOT NULL,
  `domain_id` bigint unsigned NOT NULL,
  `description` varchar(1024) NOT NULL,
  `usage_display` varchar(255) NOT NULL,
  `usage_type` int(1) unsigned,
  `raw_usage` DOUBLE UNSIGNED NOT NULL,
  `vm_instance_id` bigint unsigned,
  `vm_name` varchar(255),
  `offering_id` bigint unsigned,
  `template_id` bigint unsigned,
  `usage_id` bigint unsigned,
  `type` varchar(32),
  `size` bigint unsigned,
  `network_id` bigint unsigned,
  `start_date` DATETIME NOT NULL,
  `end_date` DATETIME NOT NULL,
  `virtual_size` bigint unsigned,
  `cpu_speed` INT(10) UNSIGNED NULL COMMENT 'speed per core in Mhz',
  `cpu_cores` INT(10) UNSIGNED NULL COMMENT 'number of cpu cores',
  `memory` INT(10) UNSIGNED NULL COMMENT 'memory in MB',
  `quota_calculated` tinyint(1) DEFAULT 0 NOT NULL COMMENT 'quota calculation status',
  `is_hidden` smallint(1) NOT NULL DEFAULT '0' COMMENT 'is usage hidden',
  `state` VARCHAR(100) DEFAULT NULL,
  PRIMARY KEY (`id`),
  INDEX `i_cloud_usage__account_id`(`account_id`),
  INDEX `i_cloud_usage__domain_id`(`domain_id`),
  INDEX `i_cloud_usage__start_date`(`start_date`),
  INDEX `i_cloud_usage__end_date`(`end_date`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8;

CREATE TABLE IF NOT EXISTS ${usage}.`usage_event` (
  `id` bigint unsigned NOT NULL auto_increment,
  `type` varchar(32) NOT NULL,
  `account_id` bigint unsigned NOT NULL,
  `created` datetime NOT NULL,
  `zone_id` bigint unsigned NOT NULL,
  `resource_id` bigint unsigned,
  `resource_name` varchar(255) CHARACTER SET utf8mb4 DEFAULT NULL,
  `offering_id` bigint unsigned,
  `template_id` bigint unsigned,
  `size` bigint unsigned,
  `resource_type` varchar(32),
  `processed` tinyint NOT NULL default '0',
  `virtual_size` bigint unsigned,
  PRIMARY KEY (`id`),
  INDEX `i_usage_event__created`(`created`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8;

CREATE TABLE IF NOT EXISTS ${usage}.`usage_event_details` (
  `id` bigint unsigned NOT NULL auto_increment,
  `usage_event_id` bigint unsigned NOT NULL COMMENT 'usage event id',
  `name` varchar(255) NOT NULL,
  `value` varchar(1024) NOT NULL,
  PRIMARY KEY (`id`),
  CONSTRAINT `fk_usage_event_details__usage_event_id` FOREIGN KEY `fk_usage_event_details__usage_event_id`(`usage_event_id`) REFERENCES `usage_event`(`id`) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8;

CREATE TABLE IF NOT EXISTS ${usage}.`usage_job` (
  `id` bigint unsigned NOT NULL auto_increment,
  `host` varchar(255),
  `pid` int(5),
  `job_type` int(1),
  `scheduled` int(1),
  `start_millis` bigint unsigned NOT NULL default '0' COMMENT 'start time in milliseconds of the aggregation range used by this job',
  `end_millis` bigint unsigned NOT NULL default '0' COMMENT 'end time in milliseconds of the aggregation range used by this job',
  `exec_time` bigint unsigned NOT NULL default '0' COMMENT 'how long in milliseconds it took for the job to execute',
  `start_date` DATETIME COMMENT 'start date of the aggregation range used by this job',
  `end_date` DATETIME COMMENT 'end date of the aggregation range used by this job',
  `success` int(1),
  `heartbeat` DATETIME NOT NULL,
  PRIMARY KEY (`id`),
  INDEX `i_usage_job__end_millis`(`end_millis`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8;

CREATE TABLE IF NOT EXISTS ${usage}.`account` (
  `id` bigint unsigned NOT NULL,
  `account_name` varchar(100) COMMENT 'an account name set by the creator of the account, defaults to username for single accounts',
  `uuid` varchar(40),
  `type` int(1) unsigned NOT NULL,
  `role_id` bigint(20) unsigned,
  `domain_id` bigint unsigned,
  `state` varchar(10) NOT NULL default 'enabled',
  `created` datetime DEFAULT NULL COMMENT 'date created',
  `removed` datetime COMMENT 'date removed',
  `cleanup_needed` tinyint(1) NOT NULL default '0',
  `network_domain` varchar(100) COMMENT 'Network domain name of the Vms of the account',
  `default_zone_id` bigint unsigned,
  `default` int(1) unsigned NOT NULL DEFAULT '0' COMMENT '1 if account is default',
  `api_key_access` boolean DEFAULT NULL COMMENT 'is api key access allowed for the account',
  CONSTRAINT `uc_account__uuid` UNIQUE (`uuid`),
  PRIMARY KEY (`id`),
  INDEX i_account__removed(`removed`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8;

CREATE TABLE IF NOT EXISTS ${usage}.`usage_vm_instance` (
  `id` BIGINT(20) NOT NULL AUTO_INCREMENT,
  `usage_type` int(1) unsigned,
  `zone_id` bigint unsigned NOT NULL,
  `account_id` bigint unsigned NOT NULL,
  `vm_instance_id` bigint unsigned NOT NULL,
  `vm_name` varchar(255) NOT NULL,
  `service_offering_id` bigint unsigned NOT NULL,
  `template_id` bigint unsigned NOT NULL,
  `hypervisor_type` varchar(255),
  `start_date` DATETIME NOT NULL,
  `end_date` DATETIME NULL,
  `cpu_speed` INT(10) UNSIGNED NULL COMMENT 'speed per core in Mhz',
  `cpu_cores` INT(10) UNSIGNED NULL COMMENT 'number of cpu cores',
  `memory` INT(10) UNSIGNED NULL COMMENT 'memory in MB',
  PRIMARY KEY (`id`),
  UNIQUE KEY (`vm_instance_id`, `usage_type`, `start_date`),
  INDEX `i_usage_vm_instance__account_id`(`account_id`),
  INDEX `i_usage_vm_instance__start_date`(`start_date`),
  INDEX `i_usage_vm_instance__end_date`(`end_date`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8;

CREATE TABLE IF NOT EXISTS ${usage}.`usage_network` (
  `account_id` bigint unsigned NOT NULL,
  `zone_id` bigint unsigned NOT NULL,
  `host_id` bigint unsigned NOT NULL,
  `host_type` varchar(32),
  `network_id` bigint unsigned NOT NULL,
  `bytes_sent` bigint unsigned NOT NULL default '0',
  `bytes_received` bigint unsigned NOT NULL default '0',
  `agg_bytes_received` bigint unsigned NOT NULL default '0',
  `agg_bytes_sent` bigint unsigned NOT NULL default '0',
  `event_time_millis` bigint unsigned NOT NULL default '0',
  PRIMARY KEY (`account_id`, `zone_id`, `host_id`, `network_id`, `event_time_millis`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8;

CREATE TABLE IF NOT EXISTS ${usage}.`usage_ip_address` (
  `id` BIGINT(20) NOT NULL AUTO_INCREMENT,
  `ip_id` BIGINT(20) UNSIGNED NOT NULL,
  `account_id` bigint unsigned NOT NULL,
  `domain_id` bigint unsigned NOT NULL,
  `zone_id` bigint unsigned NOT NULL,
  `public_ip_address` varchar(15) NOT NULL,
  `is_source_nat` smallint(1) NOT NULL,
  `is_system` smallint(1) NOT NULL default '0',
  `assigned` DATETIME NOT NULL,
  `released` DATETIME NULL,
  `is_hidden` smallint(1) NOT NULL DEFAULT '0' COMMENT 'is usage hidden',
  PRIMARY KEY (`id`),
  UNIQUE INDEX `id` (`ip_id`, `assigned`),
  INDEX `i_usage_ip_address__account_id`(`account_id`),
  INDEX `i_usage_ip_address__assigned`(`assigned`),
  INDEX `i_usage_ip_address__released`(`released`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8;

CREATE TABLE IF NOT EXISTS ${usage}.`usage_volume` (
  `id` BIGINT(20) NOT NULL AUTO_INCREMENT,
  `volume_id` BIGINT(20) UNSIGNED NOT NULL,
  `zone_id` bigint unsigned NOT NULL,
  `account_id` bigint unsigned NOT NULL,
  `domain_id` bigint unsigned NOT NULL,
  `disk_offering_id` bigint unsigned,
  `template_id` bigint unsigned,
  `size` bigint unsigned,
  `created` DATETIME NOT NULL,
  `deleted` DATETIME NULL,
  PRIMARY KEY (`id`),
  UNIQUE INDEX `id` (`volume_id`, `created`),
  INDEX `i_usage_volume__account_id`(`account_id`),
  INDEX `i_usage_volume__created`(`created`),
  INDEX `i_usage_volume__deleted`(`deleted`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8;

CREATE TABLE IF NOT EXISTS ${usage}.`usage_storage` (
  `id` BIGINT(20) NOT NULL AUTO_INCREMENT,
  `entity_id` BIGINT(20) UNSIGNED NOT NULL,
  `zone_id` bigint unsigned NOT NULL,
  `account_id` bigint unsigned NOT NULL,
  `domain_id` bigint unsigned NOT NULL,
  `storage_type` int(1) unsigned NOT NULL,
  `source_id` bigint unsigned,
  `size` bigint unsigned NOT NULL,
  `created` DATETIME NOT NULL,
  `deleted` DATETIME NULL,
  `virtual_size` bigint unsigned,
  PRIMARY KEY (`id`),
  UNIQUE INDEX `id` (`entity_id`, `storage_type`, `zone_id`, `created`),
  INDEX `i_usage_storage__account_id`(`account_id`),
  INDEX `i_usage_storage__created`(`created`),
  INDEX `i_usage_storage__deleted`(`deleted`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8;

CREATE TABLE IF NOT EXISTS ${usage}.`usage_load_balancer_policy` (
  `id` BIGINT(20) NOT NULL AUTO_INCREMENT,
  `lb_id` BIGINT(20) UNSIGNED NOT NULL,
  `zone_id` bigint unsigned NOT NULL,
  `account_id` bigint unsigned NOT NULL,
  `domain_id` bigint unsigned NOT NULL,
  `created` DATETIME NOT NULL,
  `deleted` DATETIME NULL,
  PRIMARY KEY (`id`),
  INDEX `i_usage_load_balancer_policy__account_id`(`account_id`),
  INDEX `i_usage_load_balancer_policy__created`(`created`),
  INDEX `i_usage_load_balancer_policy__deleted`(`deleted`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8;

CREATE TABLE IF NOT EXISTS ${usage}.`usage_port_forwarding` (
  `id` BIGINT(20) NOT NULL AUTO_INCREMENT,
  `pf_id` BIGINT(20) UNSIGNED NOT NULL,
  `zone_id` bigint unsigned NOT NULL,
  `account_id` bigint unsigned NOT NULL,
  `domain_id` bigint unsigned NOT NULL,
  `created` DATETIME NOT NULL,
  `deleted` DATETIME NULL,
  PRIMARY KEY (`id`),
  INDEX `i_usage_port_forwarding__account_id`(`account_id`),
  INDEX `i_usage_port_forwarding__created`(`created`),
  INDEX `i_usage_port_forwarding__deleted`(`deleted`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8;

CREATE TABLE IF NOT EXISTS ${usage}.`usage_network_offering` (
  `id` BIGINT(20) NOT NULL AUTO_INCREMENT,
  `zone_id` bigint unsigned NOT NULL,
  `account_id` bigint unsigned NOT NULL,
  `domain_id` bigint unsigned NOT NULL,
  `vm_instance_id` bigint unsigned NOT NULL,
  `network_offering_id` bigint unsigned NOT NULL,
  `is_default` smallint(1) NOT NULL,
  `created` DATETIME NOT NULL,
  `deleted` DATETIME NULL,
  `nic_id` bigint(20) unsigned NOT NULL,
  PRIMARY KEY (`id`),
  INDEX `i_usage_network_offering__account_id`(`account_id`),
  INDEX `i_usage_network_offering__created`(`created`),
  INDEX `i_usage_network_offering__deleted`(`deleted`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8;

CREATE TABLE IF NOT EXISTS ${usage}.`usage_vpn_user` (
  `id` BIGINT(20) NOT NULL AUTO_INCREMENT,
  `zone_id` bigint unsigned NOT NULL,
  `account_id` bigint unsigned NOT NULL,
  `domain_id` bigint unsigned NOT NULL,
  `user_id` bigint unsigned NOT NULL,
  `user_name` varchar(255),
  `created` DATETIME NOT NULL,
  `deleted` DATETIME NULL,
  PRIMARY KEY (`id`),
  INDEX `i_usage_vpn_user__account_id`(`account_id`),
  INDEX `i_usage_vpn_user__created`(`created`),
  INDEX `i_usage_vpn_user__deleted`(`deleted`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8;

CREATE TABLE IF NOT EXISTS ${usage}.`usage_security_group` (
  `id` BIGINT(20) NOT NULL AUTO_INCREMENT,
  `zone_id` bigint unsigned NOT NULL,
  `account_id` bigint unsigned NOT NULL,
  `domain_id` bigint unsigned NOT NULL,
  `vm_instance_id` bigint unsigned NOT NULL,
  `security_group_id` bigint unsigned NOT NULL,
  `created` DATETIME NOT NULL,
  `deleted` DATETIME NULL,
  PRIMARY KEY (`id`),
  INDEX `i_usage_security_group__account_id`(`account_id`),
  INDEX `i_usage_security_group__created`(`created`),
  INDEX `i_usage_security_group__deleted`(`deleted`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8;

CREATE TABLE IF NOT EXISTS ${usage}.`usage_vmsnapshot` (
  `id` BIGINT(20) NOT NULL AUTO_INCREMENT,
  `volume_id` BIGINT(20) UNSIGNED NOT NULL,
  `zone_id` bigint(20) unsigned NOT NULL,
  `account_id` bigint(20) unsigned NOT NULL,
  `domain_id` bigint(20) unsigned NOT NULL,
  `vm_id` bigint(20) unsigned NOT NULL,
  `disk_offering_id` bigint(20) unsigned,
  `size` bigint(20),
  `created` datetime NOT NULL,
  `processed` datetime,
  `vm_snapshot_id` BIGINT(20) NULL DEFAULT NULL,
  PRIMARY KEY (`id`),
  UNIQUE INDEX `i_usage_vmsnapshot` (`account_id`, `volume_id`, `vm_id`, `created`)
) ENGINE=InnoDB CHARSET=utf8;

CREATE TABLE IF NOT EXISTS ${usage}.`usage_snapshot_on_primary` (
  `id` BIGINT(20) NOT NULL AUTO_INCREMENT,
  `volume_id` BIGINT(20) UNSIGNED NOT NULL,
  `zone_id` bigint(20) unsigned NOT NULL,
  `account_id` bigint(20) unsigned NOT NULL,
  `domain_id` bigint(20) unsigned NOT NULL,
  `vm_id` bigint(20) unsigned NOT NULL,
  `name` varchar(128),
  `type` int(1) unsigned NOT NULL,
  `physicalsize` bigint(20),
  `virtualsize` bigint(20),
  `created` datetime NOT NULL,
  `deleted` datetime,
  `vm_snapshot_id` BIGINT(20) NULL DEFAULT NULL,
  PRIMARY KEY (`id`),
  UNIQUE INDEX `i_usage_snapshot_on_primary` (`account_id`, `volume_id`, `vm_id`, `created`)
) ENGINE=InnoDB CHARSET=utf8;

CREATE TABLE IF NOT EXISTS ${usage}.`usage_backup` (
  `id` bigint(20) unsigned NOT NULL AUTO_INCREMENT,
  `zone_id` bigint(20) unsigned NOT NULL,
  `account_id` bigint(20) unsigned NOT NULL,
  `domain_id` bigint(20) unsigned NOT NULL,
  `vm_id` bigint(20) unsigned NOT NULL,
  `backup_offering_id` bigint(20) unsigned NOT NULL,
  `size` bigint(20) DEFAULT 0,
  `protected_size` bigint(20) DEFAULT 0,
  `created` datetime NOT NULL,
  `removed` datetime DEFAULT NULL,
  PRIMARY KEY (`id`),
  INDEX `i_usage_backup` (`zone_id`, `account_id`, `vm_id`, `created`)
) ENGINE=InnoDB CHARSET=utf8;

CREATE TABLE IF NOT EXISTS ${usage}.`usage_networks` (
  `id` bigint(20) unsigned NOT NULL AUTO_INCREMENT,
  `network_offering_id` bigint(20) unsigned NOT NULL,
  `zone_id` bigint(20) unsigned NOT NULL,
  `network_id` bigint(20) unsigned NOT NULL,
  `account_id` bigint(20) unsigned NOT NULL,
  `domain_id` bigint(20) unsigned NOT NULL,
  `state` varchar(100) DEFAULT NULL,
  `removed` datetime DEFAULT NULL,
  `created` datetime NOT NULL,
  PRIMARY KEY (`id`)
) ENGINE=InnoDB CHARSET=utf8;

CREATE TABLE IF NOT EXISTS ${usage}.`usage_vpc` (
  `id` bigint(20) unsigned NOT NULL AUTO_INCREMENT,
  `vpc_id` bigint(20) unsigned NOT NULL,
  `zone_id` bigint(20) unsigned NOT NULL,
  `account_id` bigint(20) unsigned NOT NULL,
  `domain_id` bigint(20) unsigned NOT NULL,
  `state` varchar(100) DEFAULT NULL,
  `created` datetime NOT NULL,
  `removed` datetime DEFAULT NULL,
  PRIMARY KEY (`id`)
) ENGINE=InnoDB CHARSET=utf8;

CREATE TABLE IF NOT EXISTS ${usage}.`usage_vm_disk` (
  `account_id` bigint(20) unsigned NOT NULL,
  `zone_id` bigint(20) unsigned NOT NULL,
  `vm_id` bigint(20) unsigned NOT NULL,
  `volume_id` bigint(20) unsigned NOT NULL DEFAULT '0',
  `io_read` bigint(20) unsigned NOT NULL DEFAULT '0',
  `io_write` bigint(20) unsigned NOT NULL DEFAULT '0',
  `agg_io_read` bigint(20) unsigned NOT NULL DEFAULT '0',
  `agg_io_write` bigint(20) unsigned NOT NULL DEFAULT '0',
  `bytes_read` bigint(20) unsigned NOT NULL DEFAULT '0',
  `bytes_write` bigint(20) unsigned NOT NULL DEFAULT '0',
  `agg_bytes_read` bigint(20) unsigned NOT NULL DEFAULT '0',
  `agg_bytes_write` bigint(20) unsigned NOT NULL DEFAULT '0',
  `event_time_millis` bigint(20) unsigned NOT NULL DEFAULT '0',
  PRIMARY KEY (`account_id`, `zone_id`, `vm_id`, `volume_id`, `event_time_millis`)
) ENGINE=InnoDB CHARSET=utf8;

CREATE TABLE IF NOT EXISTS ${usage}.`user_statistics` (
  `id` bigint unsigned UNIQUE NOT NULL,
  `data_center_id` bigint unsigned NOT NULL,
  `account_id` bigint unsigned NOT NULL,
  `public_ip_address` varchar(15),
  `device_id` bigint unsigned NOT NULL,
  `device_type` varchar(32) NOT NULL,
  `network_id` bigint unsigned,
  `net_bytes_received` bigint unsigned NOT NULL default '0',
  `net_bytes_sent` bigint unsigned NOT NULL default '0',
  `current_bytes_received` bigint unsigned NOT NULL default '0',
  `current_bytes_sent` bigint unsigned NOT NULL default '0',
  `agg_bytes_received` bigint unsigned NOT NULL default '0',
  `agg_bytes_sent` bigint unsigned NOT NULL default '0',
  PRIMARY KEY (`id`),
  UNIQUE KEY `account_id` (`account_id`, `data_center_id`, `public_ip_address`, `device_id`, `device_type`, `network_id`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8;

CREATE TABLE IF NOT EXISTS ${usage}.`vm_disk_statistics` (
  `id` bigint(20) unsigned NOT NULL AUTO_INCREMENT,
  `data_center_id` bigint(20) unsigned NOT NULL,
  `account_id` bigint(20) unsigned NOT NULL,
  `vm_id` bigint(20) unsigned NOT NULL,
  `volume_id` bigint(20) unsigned NOT NULL DEFAULT '0',
  `net_io_read` bigint(20) unsigned NOT NULL DEFAULT '0',
  `net_io_write` bigint(20) unsigned NOT NULL DEFAULT '0',
  `current_io_read` bigint(20) unsigned NOT NULL DEFAULT '0',
  `current_io_write` bigint(20) unsigned NOT NULL DEFAULT '0',
  `agg_io_read` bigint(20) unsigned NOT NULL DEFAULT '0',
  `agg_io_write` bigint(20) unsigned NOT NULL DEFAULT '0',
  `net_bytes_read` bigint(20) unsigned NOT NULL DEFAULT '0',
  `net_bytes_write` bigint(20) unsigned NOT NULL DEFAULT '0',
  `current_bytes_read` bigint(20) unsigned NOT NULL DEFAULT '0',
  `current_bytes_write` bigint(20) unsigned NOT NULL DEFAULT '0',
  `agg_bytes_read` bigint(20) unsigned NOT NULL DEFAULT '0',
  `agg_bytes_write` bigint(20) unsigned NOT NULL DEFAULT '0',
  PRIMARY KEY (`id`),
  UNIQUE KEY `id` (`id`),
  UNIQUE KEY `account_id` (`account_id`, `data_center_id`, `vm_id`, `volume_id`)
) ENGINE=InnoDB CHARSET=utf8;

CREATE TABLE IF NOT EXISTS ${usage}.`bucket_statistics` (
  `id` bigint unsigned NOT NULL auto_increment COMMENT 'id',
  `account_id` bigint unsigned NOT NULL COMMENT 'owner of this bucket',
  `bucket_id` bigint unsigned NOT NULL COMMENT 'id of this bucket',
  `size` bigint unsigned COMMENT 'total size of bucket objects',
  PRIMARY KEY (`id`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8;
