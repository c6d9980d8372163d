-- usaged's own objects: the natural key on cloud_usage, the window and unit
-- ledger, the job table and the quarantine. Additive and re-runnable (MariaDB
-- commits each DDL statement); 0003_usaged_core.down.sql removes them all.

CREATE TABLE IF NOT EXISTS ${usage}.`usaged_window` (
  `id` bigint NOT NULL AUTO_INCREMENT,
  `start_millis` bigint NOT NULL,
  `next_millis` bigint NOT NULL,
  `start_date` datetime NOT NULL,
  `end_date` datetime NOT NULL,
  `shard_count` int NOT NULL,
  `created_at` datetime NOT NULL,
  PRIMARY KEY (`id`),
  UNIQUE KEY `uk_usaged_window__start` (`start_millis`),
  CONSTRAINT `ck_usaged_window__order` CHECK (`start_millis` < `next_millis`),
  CONSTRAINT `ck_usaged_window__shards` CHECK (`shard_count` >= 1)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

CREATE TABLE IF NOT EXISTS ${usage}.`usaged_unit` (
  `window_id` bigint NOT NULL,
  `shard` int NOT NULL,
  `state` varchar(16) NOT NULL DEFAULT 'pending',
  `attempts` int NOT NULL DEFAULT 0,
  `records` bigint NOT NULL DEFAULT 0,
  `job_id` bigint,
  `last_error` varchar(1024),
  `updated_at` datetime,
  PRIMARY KEY (`window_id`, `shard`),
  KEY `i_usaged_unit__state` (`state`, `window_id`),
  CONSTRAINT `ck_usaged_unit__state` CHECK (`state` IN ('pending', 'done'))
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

CREATE TABLE IF NOT EXISTS ${usage}.`usaged_job` (
  `id` bigint NOT NULL AUTO_INCREMENT,
  `kind` varchar(16) NOT NULL,
  `state` varchar(16) NOT NULL,
  `scope_account_id` bigint,
  `scope_domain_id` bigint,
  `scope_usage_type` int,
  `reason` varchar(1024),
  `requester` varchar(255),
  `range_start` datetime,
  `range_end` datetime,
  `units_total` bigint NOT NULL DEFAULT 0,
  `units_done` bigint NOT NULL DEFAULT 0,
  `units_failed` bigint NOT NULL DEFAULT 0,
  `records` bigint NOT NULL DEFAULT 0,
  `host` varchar(255),
  `pid` bigint,
  `created_at` datetime NOT NULL,
  `finished_at` datetime,
  `error` varchar(4096),
  PRIMARY KEY (`id`),
  CONSTRAINT `ck_usaged_job__range` CHECK (`range_start` IS NULL OR `range_end` IS NULL OR `range_start` <= `range_end`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

CREATE TABLE IF NOT EXISTS ${usage}.`usaged_quarantine` (
  `id` bigint NOT NULL AUTO_INCREMENT,
  `source` varchar(32) NOT NULL,
  `source_id` bigint NOT NULL,
  `event_type` varchar(64),
  `account_id` bigint,
  `event_time` datetime,
  `reason` varchar(1024) NOT NULL,
  `quarantined_at` datetime NOT NULL,
  PRIMARY KEY (`id`),
  KEY `i_usaged_quarantine__source` (`source`, `source_id`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

CREATE TABLE IF NOT EXISTS ${usage}.`usaged_alert` (
  `id` bigint NOT NULL AUTO_INCREMENT,
  `type` varchar(64) NOT NULL,
  `subject` varchar(999) NOT NULL,
  `content` varchar(5000),
  `created` datetime NOT NULL,
  `sent_at` datetime,
  `send_attempts` int NOT NULL DEFAULT 0,
  `last_send_error` varchar(1024),
  PRIMARY KEY (`id`),
  KEY `i_usaged_alert__type_created` (`type`, `created`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

-- The natural key. Rows written before usaged (by the Java server) get a
-- placeholder key unique to the row ("legacy:<id>"), so the column can be NOT
-- NULL from the start; `usaged repair` replaces them with real keys.
ALTER TABLE ${usage}.`cloud_usage` ADD COLUMN IF NOT EXISTS `usage_key` char(32) CHARACTER SET ascii NULL;
UPDATE ${usage}.`cloud_usage` SET `usage_key` = CONCAT('legacy:', `id`) WHERE `usage_key` IS NULL;
ALTER TABLE ${usage}.`cloud_usage` MODIFY COLUMN `usage_key` char(32) CHARACTER SET ascii NOT NULL;
CREATE UNIQUE INDEX IF NOT EXISTS `uk_cloud_usage__usage_key` ON ${usage}.`cloud_usage` (`usage_key`);
