-- CloudStack's `cloud_usage` database tables, with CloudStack 4.21's column
-- names and declared types, for the embedded store. Created only if missing.

CREATE TABLE IF NOT EXISTS ${usage}.cloud_usage (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  zone_id bigint unsigned NOT NULL,
  account_id bigint unsigned NOT NULL,
  domain_id bigint unsigned NOT NULL,
  description varchar(1024) NOT NULL,
  usage_display varchar(255) NOT NULL,
  usage_type int unsigned,
  raw_usage double unsigned NOT NULL,
  vm_instance_id bigint unsigned,
  vm_name varchar(255),
  offering_id bigint unsigned,
  template_id bigint unsigned,
  usage_id bigint unsigned,
  type varchar(32),
  size bigint unsigned,
  network_id bigint unsigned,
  start_date datetime NOT NULL,
  end_date datetime NOT NULL,
  virtual_size bigint unsigned,
  cpu_speed int unsigned,
  cpu_cores int unsigned,
  memory int unsigned,
  quota_calculated tinyint(1) NOT NULL DEFAULT 0,
  is_hidden smallint(1) NOT NULL DEFAULT 0,
  state varchar(100)
);
CREATE INDEX IF NOT EXISTS ${usage}.i_cloud_usage__account_id ON cloud_usage (account_id);
CREATE INDEX IF NOT EXISTS ${usage}.i_cloud_usage__domain_id ON cloud_usage (domain_id);
CREATE INDEX IF NOT EXISTS ${usage}.i_cloud_usage__start_date ON cloud_usage (start_date);
CREATE INDEX IF NOT EXISTS ${usage}.i_cloud_usage__end_date ON cloud_usage (end_date);

CREATE TABLE IF NOT EXISTS ${usage}.usage_event (
  id bigint unsigned NOT NULL PRIMARY KEY,
  type varchar(32) NOT NULL,
  account_id bigint unsigned NOT NULL,
  created datetime NOT NULL,
  zone_id bigint unsigned NOT NULL,
  resource_id bigint unsigned,
  resource_name varchar(255),
  offering_id bigint unsigned,
  template_id bigint unsigned,
  size bigint unsigned,
  resource_type varchar(32),
  processed tinyint NOT NULL DEFAULT 0,
  virtual_size bigint unsigned
);
CREATE INDEX IF NOT EXISTS ${usage}.i_usage_event__created ON usage_event (created);

CREATE TABLE IF NOT EXISTS ${usage}.usage_event_details (
  id bigint unsigned NOT NULL PRIMARY KEY,
  usage_event_id bigint unsigned NOT NULL,
  name varchar(255) NOT NULL,
  value varchar(1024) NOT NULL
);
CREATE INDEX IF NOT EXISTS ${usage}.i_usage_event_details__usage_event_id
  ON usage_event_details (usage_event_id);

CREATE TABLE IF NOT EXISTS ${usage}.usage_job (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  host varchar(255),
  pid int(5),
  job_type int(1),
  scheduled int(1),
  start_millis bigint unsigned NOT NULL DEFAULT 0,
  end_millis bigint unsigned NOT NULL DEFAULT 0,
  exec_time bigint unsigned NOT NULL DEFAULT 0,
  start_date datetime,
  end_date datetime,
  success int(1),
  heartbeat datetime NOT NULL
);
CREATE INDEX IF NOT EXISTS ${usage}.i_usage_job__end_millis ON usage_job (end_millis);

CREATE TABLE IF NOT EXISTS ${usage}.account (
  id bigint unsigned NOT NULL PRIMARY KEY,
  account_name varchar(100),
  uuid varchar(40) UNIQUE,
  type int unsigned NOT NULL,
  role_id bigint unsigned,
  domain_id bigint unsigned,
  state varchar(10) NOT NULL DEFAULT 'enabled',
  created datetime,
  removed datetime,
  cleanup_needed tinyint(1) NOT NULL DEFAULT 0,
  network_domain varchar(100),
  default_zone_id bigint unsigned,
  "default" int unsigned NOT NULL DEFAULT 0,
  api_key_access boolean
);
CREATE INDEX IF NOT EXISTS ${usage}.i_account__removed ON account (removed);

CREATE TABLE IF NOT EXISTS ${usage}.usage_vm_instance (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  usage_type int unsigned,
  zone_id bigint unsigned NOT NULL,
  account_id bigint unsigned NOT NULL,
  vm_instance_id bigint unsigned NOT NULL,
  vm_name varchar(255) NOT NULL,
  service_offering_id bigint unsigned NOT NULL,
  template_id bigint unsigned NOT NULL,
  hypervisor_type varchar(255),
  start_date datetime NOT NULL,
  end_date datetime,
  cpu_speed int unsigned,
  cpu_cores int unsigned,
  memory int unsigned,
  UNIQUE (vm_instance_id, usage_type, start_date)
);
CREATE INDEX IF NOT EXISTS ${usage}.i_usage_vm_instance__account_id ON usage_vm_instance (account_id);
CREATE INDEX IF NOT EXISTS ${usage}.i_usage_vm_instance__start_date ON usage_vm_instance (start_date);
CREATE INDEX IF NOT EXISTS ${usage}.i_usage_vm_instance__end_date ON usage_vm_instance (end_date);

CREATE TABLE IF NOT EXISTS ${usage}.usage_ip_address (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  ip_id bigint unsigned NOT NULL,
  account_id bigint unsigned NOT NULL,
  domain_id bigint unsigned NOT NULL,
  zone_id bigint unsigned NOT NULL,
  public_ip_address varchar(15) NOT NULL,
  is_source_nat smallint(1) NOT NULL,
  is_system smallint(1) NOT NULL DEFAULT 0,
  assigned datetime NOT NULL,
  released datetime,
  is_hidden smallint(1) NOT NULL DEFAULT 0,
  UNIQUE (ip_id, assigned)
);
CREATE INDEX IF NOT EXISTS ${usage}.i_usage_ip_address__account_id ON usage_ip_address (account_id);
CREATE INDEX IF NOT EXISTS ${usage}.i_usage_ip_address__assigned ON usage_ip_address (assigned);
CREATE INDEX IF NOT EXISTS ${usage}.i_usage_ip_address__released ON usage_ip_address (released);

CREATE TABLE IF NOT EXISTS ${usage}.usage_volume (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  volume_id bigint unsigned NOT NULL,
  zone_id bigint unsigned NOT NULL,
  account_id bigint unsigned NOT NULL,
  domain_id bigint unsigned NOT NULL,
  disk_offering_id bigint unsigned,
  template_id bigint unsigned,
  size bigint unsigned,
  created datetime NOT NULL,
  deleted datetime,
  UNIQUE (volume_id, created)
);
CREATE INDEX IF NOT EXISTS ${usage}.i_usage_volume__account_id ON usage_volume (account_id);
CREATE INDEX IF NOT EXISTS ${usage}.i_usage_volume__created ON usage_volume (created);
CREATE INDEX IF NOT EXISTS ${usage}.i_usage_volume__deleted ON usage_volume (deleted);

CREATE TABLE IF NOT EXISTS ${usage}.usage_network_offering (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  zone_id bigint unsigned NOT NULL,
  account_id bigint unsigned NOT NULL,
  domain_id bigint unsigned NOT NULL,
  vm_instance_id bigint unsigned NOT NULL,
  network_offering_id bigint unsigned NOT NULL,
  is_default smallint(1) NOT NULL,
  created datetime NOT NULL,
  deleted datetime,
  nic_id bigint unsigned NOT NULL
);
CREATE INDEX IF NOT EXISTS ${usage}.i_usage_network_offering__account_id
  ON usage_network_offering (account_id);
CREATE INDEX IF NOT EXISTS ${usage}.i_usage_network_offering__created
  ON usage_network_offering (created);
CREATE INDEX IF NOT EXISTS ${usage}.i_usage_network_offering__deleted
  ON usage_network_offering (deleted);

CREATE TABLE IF NOT EXISTS ${usage}.usage_storage (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  entity_id bigint unsigned NOT NULL,
  zone_id bigint unsigned NOT NULL,
  account_id bigint unsigned NOT NULL,
  domain_id bigint unsigned NOT NULL,
  storage_type int unsigned NOT NULL,
  source_id bigint unsigned,
  size bigint unsigned NOT NULL,
  created datetime NOT NULL,
  deleted datetime,
  virtual_size bigint unsigned,
  UNIQUE (entity_id, storage_type, zone_id, created)
);
CREATE INDEX IF NOT EXISTS ${usage}.i_usage_storage__account_id ON usage_storage (account_id);
CREATE INDEX IF NOT EXISTS ${usage}.i_usage_storage__created ON usage_storage (created);
CREATE INDEX IF NOT EXISTS ${usage}.i_usage_storage__deleted ON usage_storage (deleted);

CREATE TABLE IF NOT EXISTS ${usage}.usage_load_balancer_policy (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  lb_id bigint unsigned NOT NULL,
  zone_id bigint unsigned NOT NULL,
  account_id bigint unsigned NOT NULL,
  domain_id bigint unsigned NOT NULL,
  created datetime NOT NULL,
  deleted datetime
);
CREATE INDEX IF NOT EXISTS ${usage}.i_usage_load_balancer_policy__account_id
  ON usage_load_balancer_policy (account_id);
CREATE INDEX IF NOT EXISTS ${usage}.i_usage_load_balancer_policy__created
  ON usage_load_balancer_policy (created);
CREATE INDEX IF NOT EXISTS ${usage}.i_usage_load_balancer_policy__deleted
  ON usage_load_balancer_policy (deleted);

CREATE TABLE IF NOT EXISTS ${usage}.usage_port_forwarding (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  pf_id bigint unsigned NOT NULL,
  zone_id bigint unsigned NOT NULL,
  account_id bigint unsigned NOT NULL,
  domain_id bigint unsigned NOT NULL,
  created datetime NOT NULL,
  deleted datetime
);
CREATE INDEX IF NOT EXISTS ${usage}.i_usage_port_forwarding__account_id
  ON usage_port_forwarding (account_id);
CREATE INDEX IF NOT EXISTS ${usage}.i_usage_port_forwarding__created
  ON usage_port_forwarding (created);
CREATE INDEX IF NOT EXISTS ${usage}.i_usage_port_forwarding__deleted
  ON usage_port_forwarding (deleted);

CREATE TABLE IF NOT EXISTS ${usage}.usage_vpn_user (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  zone_id bigint unsigned NOT NULL,
  account_id bigint unsigned NOT NULL,
  domain_id bigint unsigned NOT NULL,
  user_id bigint unsigned NOT NULL,
  user_name varchar(255),
  created datetime NOT NULL,
  deleted datetime
);
CREATE INDEX IF NOT EXISTS ${usage}.i_usage_vpn_user__account_id ON usage_vpn_user (account_id);
CREATE INDEX IF NOT EXISTS ${usage}.i_usage_vpn_user__created ON usage_vpn_user (created);
CREATE INDEX IF NOT EXISTS ${usage}.i_usage_vpn_user__deleted ON usage_vpn_user (deleted);

CREATE TABLE IF NOT EXISTS ${usage}.usage_security_group (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  zone_id bigint unsigned NOT NULL,
  account_id bigint unsigned NOT NULL,
  domain_id bigint unsigned NOT NULL,
  vm_instance_id bigint unsigned NOT NULL,
  security_group_id bigint unsigned NOT NULL,
  created datetime NOT NULL,
  deleted datetime
);
CREATE INDEX IF NOT EXISTS ${usage}.i_usage_security_group__account_id
  ON usage_security_group (account_id);
CREATE INDEX IF NOT EXISTS ${usage}.i_usage_security_group__created
  ON usage_security_group (created);
CREATE INDEX IF NOT EXISTS ${usage}.i_usage_security_group__deleted
  ON usage_security_group (deleted);

CREATE TABLE IF NOT EXISTS ${usage}.usage_vmsnapshot (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  volume_id bigint unsigned NOT NULL,
  zone_id bigint unsigned NOT NULL,
  account_id bigint unsigned NOT NULL,
  domain_id bigint unsigned NOT NULL,
  vm_id bigint unsigned NOT NULL,
  disk_offering_id bigint unsigned,
  size bigint,
  created datetime NOT NULL,
  processed datetime,
  vm_snapshot_id bigint,
  UNIQUE (account_id, volume_id, vm_id, created)
);

CREATE TABLE IF NOT EXISTS ${usage}.usage_snapshot_on_primary (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  volume_id bigint unsigned NOT NULL,
  zone_id bigint unsigned NOT NULL,
  account_id bigint unsigned NOT NULL,
  domain_id bigint unsigned NOT NULL,
  vm_id bigint unsigned NOT NULL,
  name varchar(128),
  type int unsigned NOT NULL,
  physicalsize bigint,
  virtualsize bigint,
  created datetime NOT NULL,
  deleted datetime,
  vm_snapshot_id bigint,
  UNIQUE (account_id, volume_id, vm_id, created)
);

CREATE TABLE IF NOT EXISTS ${usage}.usage_backup (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  zone_id bigint unsigned NOT NULL,
  account_id bigint unsigned NOT NULL,
  domain_id bigint unsigned NOT NULL,
  vm_id bigint unsigned NOT NULL,
  backup_offering_id bigint unsigned NOT NULL,
  size bigint DEFAULT 0,
  protected_size bigint DEFAULT 0,
  created datetime NOT NULL,
  removed datetime
);
CREATE INDEX IF NOT EXISTS ${usage}.i_usage_backup ON usage_backup (zone_id, account_id, vm_id, created);

CREATE TABLE IF NOT EXISTS ${usage}.usage_networks (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  network_offering_id bigint unsigned NOT NULL,
  zone_id bigint unsigned NOT NULL,
  network_id bigint unsigned NOT NULL,
  account_id bigint unsigned NOT NULL,
  domain_id bigint unsigned NOT NULL,
  state varchar(100),
  removed datetime,
  created datetime NOT NULL
);

CREATE TABLE IF NOT EXISTS ${usage}.usage_vpc (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  vpc_id bigint unsigned NOT NULL,
  zone_id bigint unsigned NOT NULL,
  account_id bigint unsigned NOT NULL,
  domain_id bigint unsigned NOT NULL,
  state varchar(100),
  created datetime NOT NULL,
  removed datetime
);

CREATE TABLE IF NOT EXISTS ${usage}.usage_network (
  account_id bigint unsigned NOT NULL,
  zone_id bigint unsigned NOT NULL,
  host_id bigint unsigned NOT NULL,
  host_type varchar(32),
  network_id bigint unsigned NOT NULL DEFAULT 0,
  bytes_sent bigint unsigned NOT NULL DEFAULT 0,
  bytes_received bigint unsigned NOT NULL DEFAULT 0,
  agg_bytes_received bigint unsigned NOT NULL DEFAULT 0,
  agg_bytes_sent bigint unsigned NOT NULL DEFAULT 0,
  event_time_millis bigint unsigned NOT NULL DEFAULT 0,
  PRIMARY KEY (account_id, zone_id, host_id, network_id, event_time_millis)
);

CREATE TABLE IF NOT EXISTS ${usage}.usage_vm_disk (
  account_id bigint unsigned NOT NULL,
  zone_id bigint unsigned NOT NULL,
  vm_id bigint unsigned NOT NULL,
  volume_id bigint unsigned NOT NULL DEFAULT 0,
  io_read bigint unsigned NOT NULL DEFAULT 0,
  io_write bigint unsigned NOT NULL DEFAULT 0,
  agg_io_read bigint unsigned NOT NULL DEFAULT 0,
  agg_io_write bigint unsigned NOT NULL DEFAULT 0,
  bytes_read bigint unsigned NOT NULL DEFAULT 0,
  bytes_write bigint unsigned NOT NULL DEFAULT 0,
  agg_bytes_read bigint unsigned NOT NULL DEFAULT 0,
  agg_bytes_write bigint unsigned NOT NULL DEFAULT 0,
  event_time_millis bigint unsigned NOT NULL DEFAULT 0,
  PRIMARY KEY (account_id, zone_id, vm_id, volume_id, event_time_millis)
);

CREATE TABLE IF NOT EXISTS ${usage}.user_statistics (
  id bigint unsigned NOT NULL PRIMARY KEY,
  data_center_id bigint unsigned NOT NULL,
  account_id bigint unsigned NOT NULL,
  public_ip_address varchar(15),
  device_id bigint unsigned NOT NULL,
  device_type varchar(32) NOT NULL,
  network_id bigint unsigned,
  net_bytes_received bigint unsigned NOT NULL DEFAULT 0,
  net_bytes_sent bigint unsigned NOT NULL DEFAULT 0,
  current_bytes_received bigint unsigned NOT NULL DEFAULT 0,
  current_bytes_sent bigint unsigned NOT NULL DEFAULT 0,
  agg_bytes_received bigint unsigned NOT NULL DEFAULT 0,
  agg_bytes_sent bigint unsigned NOT NULL DEFAULT 0,
  UNIQUE (account_id, data_center_id, public_ip_address, device_id, device_type, network_id)
);

CREATE TABLE IF NOT EXISTS ${usage}.vm_disk_statistics (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  data_center_id bigint unsigned NOT NULL,
  account_id bigint unsigned NOT NULL,
  vm_id bigint unsigned NOT NULL,
  volume_id bigint unsigned NOT NULL DEFAULT 0,
  net_io_read bigint unsigned NOT NULL DEFAULT 0,
  net_io_write bigint unsigned NOT NULL DEFAULT 0,
  current_io_read bigint unsigned NOT NULL DEFAULT 0,
  current_io_write bigint unsigned NOT NULL DEFAULT 0,
  agg_io_read bigint unsigned NOT NULL DEFAULT 0,
  agg_io_write bigint unsigned NOT NULL DEFAULT 0,
  net_bytes_read bigint unsigned NOT NULL DEFAULT 0,
  net_bytes_write bigint unsigned NOT NULL DEFAULT 0,
  current_bytes_read bigint unsigned NOT NULL DEFAULT 0,
  current_bytes_write bigint unsigned NOT NULL DEFAULT 0,
  agg_bytes_read bigint unsigned NOT NULL DEFAULT 0,
  agg_bytes_write bigint unsigned NOT NULL DEFAULT 0,
  UNIQUE (account_id, data_center_id, vm_id, volume_id)
);

CREATE TABLE IF NOT EXISTS ${usage}.bucket_statistics (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  account_id bigint unsigned NOT NULL,
  bucket_id bigint unsigned NOT NULL,
  size bigint unsigned
);
