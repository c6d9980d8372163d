-- usaged's own objects: the natural key on cloud_usage, the window and unit
-- ledger, the job table and the quarantine. All additive.

ALTER TABLE ${usage}.cloud_usage ADD COLUMN usage_key char(32);
-- SQLite cannot add a NOT NULL column without a default; the trigger and the
-- unique index below enforce what NOT NULL UNIQUE does on MariaDB.
CREATE UNIQUE INDEX ${usage}.uk_cloud_usage__usage_key ON cloud_usage (usage_key);
CREATE TRIGGER ${usage}.tr_cloud_usage__usage_key_required
  BEFORE INSERT ON cloud_usage WHEN NEW.usage_key IS NULL
  BEGIN SELECT RAISE(ABORT, 'cloud_usage.usage_key may not be NULL'); END;
CREATE TRIGGER ${usage}.tr_cloud_usage__usage_key_kept
  BEFORE UPDATE OF usage_key ON cloud_usage WHEN NEW.usage_key IS NULL
  BEGIN SELECT RAISE(ABORT, 'cloud_usage.usage_key may not be NULL'); END;

CREATE TABLE ${usage}.usaged_window (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  start_millis bigint NOT NULL UNIQUE,
  next_millis bigint NOT NULL,
  start_date datetime NOT NULL,
  end_date datetime NOT NULL,
  shard_count int NOT NULL,
  created_at datetime NOT NULL,
  CHECK (start_millis < next_millis),
  CHECK (shard_count >= 1)
);

CREATE TABLE ${usage}.usaged_unit (
  window_id bigint NOT NULL,
  shard int NOT NULL,
  state varchar(16) NOT NULL DEFAULT 'pending',
  attempts int NOT NULL DEFAULT 0,
  records bigint NOT NULL DEFAULT 0,
  job_id bigint,
  last_error varchar(1024),
  updated_at datetime,
  PRIMARY KEY (window_id, shard),
  CHECK (state IN ('pending', 'done'))
);
CREATE INDEX ${usage}.i_usaged_unit__state ON usaged_unit (state, window_id);

CREATE TABLE ${usage}.usaged_job (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  kind varchar(16) NOT NULL,
  state varchar(16) NOT NULL,
  scope_account_id bigint,
  scope_domain_id bigint,
  scope_usage_type int,
  reason varchar(1024),
  requester varchar(255),
  range_start datetime,
  range_end datetime,
  units_total bigint NOT NULL DEFAULT 0,
  units_done bigint NOT NULL DEFAULT 0,
  units_failed bigint NOT NULL DEFAULT 0,
  records bigint NOT NULL DEFAULT 0,
  host varchar(255),
  pid bigint,
  created_at datetime NOT NULL,
  finished_at datetime,
  error varchar(4096),
  CHECK (range_start IS NULL OR range_end IS NULL OR range_start <= range_end)
);

CREATE TABLE ${usage}.usaged_quarantine (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  source varchar(32) NOT NULL,
  source_id bigint NOT NULL,
  event_type varchar(64),
  account_id bigint,
  event_time datetime,
  reason varchar(1024) NOT NULL,
  quarantined_at datetime NOT NULL
);
CREATE INDEX ${usage}.i_usaged_quarantine__source ON usaged_quarantine (source, source_id);

CREATE TABLE ${usage}.usaged_alert (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  type varchar(64) NOT NULL,
  subject varchar(999) NOT NULL,
  content varchar(5000),
  created datetime NOT NULL,
  sent_at datetime,
  send_attempts int NOT NULL DEFAULT 0,
  last_send_error varchar(1024)
);
CREATE INDEX ${usage}.i_usaged_alert__type_created ON usaged_alert (type, created);
