-- Audit tables of usaged repair: every row it takes out of a CloudStack
-- table is first copied here with the time and the reason, in the same
-- transaction. removed_id numbers the copies; id is the row's original id.
-- No unique keys beside removed_id: a copy must never be refused.

CREATE TABLE ${usage}.cloud_usage_removed (
  removed_id INTEGER PRIMARY KEY AUTOINCREMENT,
  id bigint unsigned NOT NULL,
  zone_id bigint unsigned NOT NULL,
  account_id bigint unsigned NOT NULL,
  domain_id bigint unsigned NOT NULL,
  description varchar(1024) NOT NULL,
  usage_display varchar(255) NOT NULL,
  usage_type int unsigned,
  raw_usage DOUBLE UNSIGNED NOT NULL,
  vm_instance_id bigint unsigned,
  vm_name varchar(255),
  offering_id bigint unsigned,
  template_id bigint unsigned,
  usage_id bigint unsigned,
  type varchar(32),
  size bigint unsigned,
  network_id bigint unsigned,
  start_date DATETIME NOT NULL,
  end_date DATETIME NOT NULL,
  virtual_size bigint unsigned,
  cpu_speed int unsigned NULL,
  cpu_cores int unsigned NULL,
  memory int unsigned NULL,
  quota_calculated tinyint(1) NOT NULL DEFAULT 0,
  is_hidden smallint(1) NOT NULL DEFAULT '0',
  state VARCHAR(100) DEFAULT NULL,
  usage_key char(32) NULL,
  removed_at datetime NOT NULL,
  reason varchar(1024) NOT NULL
);
CREATE INDEX ${usage}.i_cloud_usage_removed__id ON cloud_usage_removed (id);

CREATE TABLE ${usage}.usage_job_removed (
  removed_id INTEGER PRIMARY KEY AUTOINCREMENT,
  id bigint unsigned NOT NULL,
  host varchar(255),
  pid int(5),
  job_type int(1),
  scheduled int(1),
  start_millis bigint unsigned NOT NULL default '0',
  end_millis bigint unsigned NOT NULL default '0',
  exec_time bigint unsigned NOT NULL default '0',
  start_date DATETIME,
  end_date DATETIME,
  success int(1),
  heartbeat DATETIME NOT NULL,
  removed_at datetime NOT NULL,
  reason varchar(1024) NOT NULL
);
CREATE INDEX ${usage}.i_usage_job_removed__id ON usage_job_removed (id);

CREATE TABLE ${usage}.usage_event_removed (
  removed_id INTEGER PRIMARY KEY AUTOINCREMENT,
  id bigint unsigned NOT NULL,
  type varchar(32) NOT NULL,
  account_id bigint unsigned NOT NULL,
  created datetime NOT NULL,
  zone_id bigint unsigned NOT NULL,
  resource_id bigint unsigned,
  resource_name varchar(255) DEFAULT NULL,
  offering_id bigint unsigned,
  template_id bigint unsigned,
  size bigint unsigned,
  resource_type varchar(32),
  processed tinyint NOT NULL default '0',
  virtual_size bigint unsigned,
  removed_at datetime NOT NULL,
  reason varchar(1024) NOT NULL
);
CREATE INDEX ${usage}.i_usage_event_removed__id ON usage_event_removed (id);

CREATE TABLE ${usage}.usage_event_details_removed (
  removed_id INTEGER PRIMARY KEY AUTOINCREMENT,
  id bigint unsigned NOT NULL,
  usage_event_id bigint unsigned NOT NULL,
  name varchar(255) NOT NULL,
  value varchar(1024) NOT NULL,
  removed_at datetime NOT NULL,
  reason varchar(1024) NOT NULL
);
CREATE INDEX ${usage}.i_usage_event_details_removed__event ON usage_event_details_removed (usage_event_id);

CREATE TABLE ${usage}.usage_vm_instance_removed (
  removed_id INTEGER PRIMARY KEY AUTOINCREMENT,
  id bigint NOT NULL,
  usage_type int unsigned,
  zone_id bigint unsigned NOT NULL,
  account_id bigint unsigned NOT NULL,
  vm_instance_id bigint unsigned NOT NULL,
  vm_name varchar(255) NOT NULL,
  service_offering_id bigint unsigned NOT NULL,
  template_id bigint unsigned NOT NULL,
  hypervisor_type varchar(255),
  start_date DATETIME NOT NULL,
  end_date DATETIME NULL,
  cpu_speed int unsigned NULL,
  cpu_cores int unsigned NULL,
  memory int unsigned NULL,
  removed_at datetime NOT NULL,
  reason varchar(1024) NOT NULL
);
CREATE INDEX ${usage}.i_usage_vm_instance_removed__id ON usage_vm_instance_removed (id);

CREATE TABLE ${usage}.usage_ip_address_removed (
  removed_id INTEGER PRIMARY KEY AUTOINCREMENT,
  id bigint NOT NULL,
  ip_id bigint unsigned NOT NULL,
  account_id bigint unsigned NOT NULL,
  domain_id bigint unsigned NOT NULL,
  zone_id bigint unsigned NOT NULL,
  public_ip_address varchar(15) NOT NULL,
  is_source_nat smallint(1) NOT NULL,
  is_system smallint(1) NOT NULL default '0',
  assigned DATETIME NOT NULL,
  released DATETIME NULL,
  is_hidden smallint(1) NOT NULL DEFAULT '0',
  removed_at datetime NOT NULL,
  reason varchar(1024) NOT NULL
);
CREATE INDEX ${usage}.i_usage_ip_address_removed__id ON usage_ip_address_removed (id);

CREATE TABLE ${usage}.usage_volume_removed (
  removed_id INTEGER PRIMARY KEY AUTOINCREMENT,
  id bigint NOT NULL,
  volume_id bigint unsigned NOT NULL,
  zone_id bigint unsigned NOT NULL,
  account_id bigint unsigned NOT NULL,
  domain_id bigint unsigned NOT NULL,
  disk_offering_id bigint unsigned,
  template_id bigint unsigned,
  size bigint unsigned,
  created DATETIME NOT NULL,
  deleted DATETIME NULL,
  removed_at datetime NOT NULL,
  reason varchar(1024) NOT NULL
);
CREATE INDEX ${usage}.i_usage_volume_removed__id ON usage_volume_removed (id);

CREATE TABLE ${usage}.usage_storage_removed (
  removed_id INTEGER PRIMARY KEY AUTOINCREMENT,
  id bigint NOT NULL,
  entity_id bigint unsigned NOT NULL,
  zone_id bigint unsigned NOT NULL,
  account_id bigint unsigned NOT NULL,
  domain_id bigint unsigned NOT NULL,
  storage_type int unsigned NOT NULL,
  source_id bigint unsigned,
  size bigint unsigned NOT NULL,
  created DATETIME NOT NULL,
  deleted DATETIME NULL,
  virtual_size bigint unsigned,
  removed_at datetime NOT NULL,
  reason varchar(1024) NOT NULL
);
CREATE INDEX ${usage}.i_usage_storage_removed__id ON usage_storage_removed (id);

CREATE TABLE ${usage}.usage_network_offering_removed (
  removed_id INTEGER PRIMARY KEY AUTOINCREMENT,
  id bigint NOT NULL,
  zone_id bigint unsigned NOT NULL,
  account_id bigint unsigned NOT NULL,
  domain_id bigint unsigned NOT NULL,
  vm_instance_id bigint unsigned NOT NULL,
  network_offering_id bigint unsigned NOT NULL,
  is_default smallint(1) NOT NULL,
  created DATETIME NOT NULL,
  deleted DATETIME NULL,
  nic_id bigint unsigned NOT NULL,
  removed_at datetime NOT NULL,
  reason varchar(1024) NOT NULL
);
CREATE INDEX ${usage}.i_usage_network_offering_removed__id ON usage_network_offering_removed (id);
