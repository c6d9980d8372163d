-- Statistics snapshots: when usaged read the statistics tables for a window
-- (once per window, before any of its units is parsed), and the bucket sizes it
-- read. Indexes let a window's parse read only its own counter rows.
CREATE TABLE IF NOT EXISTS ${usage}.`usaged_stat_snapshot` (
  `window_id` bigint NOT NULL,
  `stamp_millis` bigint NOT NULL,
  `network_rows` int NOT NULL DEFAULT 0,
  `disk_rows` int NOT NULL DEFAULT 0,
  `bucket_rows` int NOT NULL DEFAULT 0,
  `quarantined` int NOT NULL DEFAULT 0,
  `taken_at` datetime NOT NULL,
  PRIMARY KEY (`window_id`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

CREATE TABLE IF NOT EXISTS ${usage}.`usaged_bucket_usage` (
  `account_id` bigint NOT NULL,
  `bucket_id` bigint NOT NULL,
  `size` bigint NOT NULL,
  `event_time_millis` bigint NOT NULL,
  PRIMARY KEY (`account_id`, `bucket_id`, `event_time_millis`),
  KEY `i_usaged_bucket_usage__time` (`event_time_millis`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;
CREATE INDEX IF NOT EXISTS `i_usaged_usage_network__time` ON ${usage}.`usage_network`
  (`event_time_millis`);
CREATE INDEX IF NOT EXISTS `i_usaged_usage_vm_disk__time` ON ${usage}.`usage_vm_disk`
  (`event_time_millis`);
