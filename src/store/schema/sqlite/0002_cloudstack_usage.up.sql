-- CloudStack's `cloud_usage` database tables (CloudStack 4.21 names and
-- declared types) for the embedded store. Created only if missing.

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
  cpu_speed bigint unsigned,
  cpu_cores bigint unsigned,
  memory bigint unsigned,
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
  uuid varchar(40),
  type int unsigned NOT NULL,
  domain_id bigint unsigned,
  state varchar(10) NOT NULL DEFAULT 'enabled',
  removed datetime,
  cleanup_needed tinyint(1) NOT NULL DEFAULT 0,
  network_domain varchar(100)
);
CREATE INDEX IF NOT EXISTS ${usage}.i_account__removed ON account (removed);

CREATE TABLE IF NOT EXISTS ${usage}.usage_vm_instance (
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
  cpu_speed bigint unsigned,
  cpu_cores bigint unsigned,
  memory bigint unsigned,
  UNIQUE (vm_instance_id, usage_type, start_date)
);
CREATE INDEX IF NOT EXISTS ${usage}.i_usage_vm_instance__account_id ON usage_vm_instance (account_id);
CREATE INDEX IF NOT EXISTS ${usage}.i_usage_vm_instance__start_date ON usage_vm_instance (start_date);
CREATE INDEX IF NOT EXISTS ${usage}.i_usage_vm_instance__end_date ON usage_vm_instance (end_date);

CREATE TABLE IF NOT EXISTS ${usage}.usage_ip_address (
  id bigint unsigned NOT NULL,
  account_id bigint unsigned NOT NULL,
  domain_id bigint unsigned NOT NULL,
  zone_id bigint unsigned NOT NULL,
  public_ip_address varchar(15) NOT NULL,
  is_source_nat smallint(1) NOT NULL,
  is_system smallint(1) NOT NULL,
  assigned datetime NOT NULL,
  released datetime,
  is_hidden smallint(1) NOT NULL DEFAULT 0,
  UNIQUE (id, assigned)
);
CREATE INDEX IF NOT EXISTS ${usage}.i_usage_ip_address__account_id ON usage_ip_address (account_id);
CREATE INDEX IF NOT EXISTS ${usage}.i_usage_ip_address__assigned ON usage_ip_address (assigned);
CREATE INDEX IF NOT EXISTS ${usage}.i_usage_ip_address__released ON usage_ip_address (released);

CREATE TABLE IF NOT EXISTS ${usage}.usage_volume (
  id bigint unsigned NOT NULL,
  zone_id bigint unsigned NOT NULL,
  account_id bigint unsigned NOT NULL,
  domain_id bigint unsigned NOT NULL,
  disk_offering_id bigint unsigned,
  template_id bigint unsigned,
  size bigint unsigned,
  created datetime NOT NULL,
  deleted datetime,
  UNIQUE (id, created)
);
CREATE INDEX IF NOT EXISTS ${usage}.i_usage_volume__account_id ON usage_volume (account_id);
CREATE INDEX IF NOT EXISTS ${usage}.i_usage_volume__created ON usage_volume (created);
CREATE INDEX IF NOT EXISTS ${usage}.i_usage_volume__deleted ON usage_volume (deleted);

CREATE TABLE IF NOT EXISTS ${usage}.usage_storage (
  id bigint unsigned NOT NULL,
  zone_id bigint unsigned NOT NULL,
  account_id bigint unsigned NOT NULL,
  domain_id bigint unsigned NOT NULL,
  storage_type int unsigned NOT NULL,
  source_id bigint unsigned,
  size bigint unsigned NOT NULL,
  created datetime NOT NULL,
  deleted datetime,
  virtual_size bigint unsigned,
  UNIQUE (id, storage_type, zone_id, created)
);
CREATE INDEX IF NOT EXISTS ${usage}.i_usage_storage__account_id ON usage_storage (account_id);
CREATE INDEX IF NOT EXISTS ${usage}.i_usage_storage__created ON usage_storage (created);
CREATE INDEX IF NOT EXISTS ${usage}.i_usage_storage__deleted ON usage_storage (deleted);

CREATE TABLE IF NOT EXISTS ${usage}.usage_network_offering (
  zone_id bigint unsigned NOT NULL,
  account_id bigint unsigned NOT NULL,
  domain_id bigint unsigned NOT NULL,
  vm_instance_id bigint unsigned NOT NULL,
  network_offering_id bigint unsigned NOT NULL,
  is_default smallint(1) NOT NULL,
  created datetime NOT NULL,
  deleted datetime,
  nic_id bigint unsigned
);
CREATE INDEX IF NOT EXISTS ${usage}.i_usage_network_offering__account_id
  ON usage_network_offering (account_id);
CREATE INDEX IF NOT EXISTS ${usage}.i_usage_network_offering__created
  ON usage_network_offering (created);
CREATE INDEX IF NOT EXISTS ${usage}.i_usage_network_offering__deleted
  ON usage_network_offering (deleted);
