-- Statistics snapshots: when usaged read the statistics tables for a window
-- (once per window, before any of its units is parsed), and the bucket sizes it
-- read. Indexes let a window's parse read only its own counter rows.
CREATE TABLE ${usage}.usaged_stat_snapshot (
  window_id bigint NOT NULL PRIMARY KEY,
  stamp_millis bigint NOT NULL,
  network_rows int NOT NULL DEFAULT 0,
  disk_rows int NOT NULL DEFAULT 0,
  bucket_rows int NOT NULL DEFAULT 0,
  quarantined int NOT NULL DEFAULT 0,
  taken_at datetime NOT NULL
);

CREATE TABLE ${usage}.usaged_bucket_usage (
  account_id bigint NOT NULL,
  bucket_id bigint NOT NULL,
  size bigint NOT NULL,
  event_time_millis bigint NOT NULL,
  PRIMARY KEY (account_id, bucket_id, event_time_millis)
);
CREATE INDEX ${usage}.i_usaged_bucket_usage__time ON usaged_bucket_usage (event_time_millis);
CREATE INDEX ${usage}.i_usaged_usage_network__time ON usage_network (event_time_millis);
CREATE INDEX ${usage}.i_usaged_usage_vm_disk__time ON usage_vm_disk (event_time_millis);
