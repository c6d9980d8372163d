-- The API's own key store and its asynchronous jobs. Secrets are stored
-- sealed (AES-256-GCM) with a key file the operator keeps outside the database.
CREATE TABLE ${usage}.usaged_api_key (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  api_key varchar(128) NOT NULL UNIQUE,
  sealed_secret varchar(512) NOT NULL,
  account_id bigint NOT NULL,
  role varchar(16) NOT NULL,
  created_at datetime NOT NULL,
  revoked_at datetime,
  CHECK (role IN ('admin', 'domain-admin', 'user'))
);

-- One row per asynchronous API call (generateUsageRecords,
-- regenerateUsageRecords): what queryAsyncJobResult reports. `owner` is the
-- server process (host:pid) whose worker runs the job.
CREATE TABLE ${usage}.usaged_async_job (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  uuid varchar(40) NOT NULL UNIQUE,
  command varchar(64) NOT NULL,
  account_id bigint NOT NULL,
  domain_id bigint,
  status int NOT NULL DEFAULT 0,
  result_code int NOT NULL DEFAULT 0,
  result text,
  usaged_job_id bigint,
  owner varchar(255) NOT NULL,
  created_at datetime NOT NULL,
  completed_at datetime,
  CHECK (status IN (0, 1, 2))
);

-- listUsageRecords filters by account and dates: this index finds one
-- account's records of a date range without reading its other days.
CREATE INDEX IF NOT EXISTS ${usage}.i_usaged_cloud_usage__account_start ON cloud_usage
  (account_id, start_date, end_date);
