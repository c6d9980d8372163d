-- CloudStack's `cloud` database tables that usaged reads, with CloudStack
-- 4.21's column names and declared types, for the embedded store. Created
-- only if missing. (SQLite ignores display widths; an AUTO_INCREMENT id is
-- INTEGER PRIMARY KEY AUTOINCREMENT here.)

CREATE TABLE IF NOT EXISTS ${cloud}.domain (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  parent bigint unsigned,
  name varchar(255),
  uuid varchar(40) UNIQUE,
  owner bigint unsigned NOT NULL DEFAULT 2,
  path varchar(255) NOT NULL,
  level int(10) NOT NULL DEFAULT 0,
  child_count int(10) NOT NULL DEFAULT 0,
  next_child_seq bigint unsigned NOT NULL DEFAULT 1,
  created datetime,
  removed datetime,
  state char(32) NOT NULL DEFAULT 'Active',
  network_domain varchar(255),
  type varchar(255) NOT NULL DEFAULT 'Normal',
  UNIQUE (parent, name, removed)
);
CREATE INDEX IF NOT EXISTS ${cloud}.i_domain__path ON domain (path);

CREATE TABLE IF NOT EXISTS ${cloud}.account (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  account_name varchar(100),
  uuid varchar(40) UNIQUE,
  type int unsigned NOT NULL,
  role_id bigint unsigned,
  domain_id bigint unsigned,
  state varchar(10) NOT NULL DEFAULT 'enabled',
  created datetime,
  removed datetime,
  cleanup_needed tinyint(1) NOT NULL DEFAULT 0,
  network_domain varchar(255),
  default_zone_id bigint unsigned,
  "default" int unsigned NOT NULL DEFAULT 0,
  api_key_access boolean
);
CREATE INDEX IF NOT EXISTS ${cloud}.i_account__removed ON account (removed);
CREATE INDEX IF NOT EXISTS ${cloud}.i_account__domain_id ON account (domain_id);

CREATE TABLE IF NOT EXISTS ${cloud}.configuration (
  category varchar(255) NOT NULL DEFAULT 'Advanced',
  instance varchar(255) NOT NULL,
  component varchar(255) NOT NULL DEFAULT 'management-server',
  name varchar(255) NOT NULL PRIMARY KEY,
  value varchar(4095),
  description varchar(1024),
  default_value varchar(4095),
  updated datetime,
  is_dynamic tinyint(1) NOT NULL DEFAULT 0,
  group_id bigint unsigned DEFAULT 1,
  subgroup_id bigint unsigned DEFAULT 1,
  parent varchar(255),
  display_text varchar(255),
  kind varchar(255),
  options varchar(255),
  scope bigint NOT NULL DEFAULT 0
);

CREATE TABLE IF NOT EXISTS ${cloud}.usage_event (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
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
CREATE INDEX IF NOT EXISTS ${cloud}.i_usage_event__created ON usage_event (created);

CREATE TABLE IF NOT EXISTS ${cloud}.usage_event_details (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  usage_event_id bigint unsigned NOT NULL REFERENCES usage_event (id) ON DELETE CASCADE,
  name varchar(255) NOT NULL,
  value varchar(1024) NOT NULL
);
CREATE INDEX IF NOT EXISTS ${cloud}.i_usage_event_details__usage_event_id
  ON usage_event_details (usage_event_id);

CREATE TABLE IF NOT EXISTS ${cloud}.user_statistics (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  data_center_id bigint unsigned NOT NULL,
  account_id bigint unsigned NOT NULL,
  public_ip_address char(40),
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

CREATE TABLE IF NOT EXISTS ${cloud}.vm_disk_statistics (
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

CREATE TABLE IF NOT EXISTS ${cloud}.bucket_statistics (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  account_id bigint unsigned NOT NULL,
  bucket_id bigint unsigned NOT NULL,
  size bigint unsigned
);
