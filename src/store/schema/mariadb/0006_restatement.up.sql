-- Restatements: windows already billed that a late event changed, per
-- account. The next run re-parses them (delete + insert in one transaction).
CREATE TABLE IF NOT EXISTS ${usage}.`usaged_restatement` (
  `id` bigint NOT NULL AUTO_INCREMENT,
  `window_id` bigint NOT NULL,
  `shard` int NOT NULL,
  `account_id` bigint NOT NULL,
  `event_id` bigint NOT NULL,
  `state` varchar(16) NOT NULL DEFAULT 'pending',
  `created_at` datetime NOT NULL,
  `job_id` bigint,
  `records_before` bigint,
  `records_after` bigint,
  `done_at` datetime,
  PRIMARY KEY (`id`),
  KEY `i_usaged_restatement__state` (`state`, `window_id`),
  CONSTRAINT `ck_usaged_restatement__state` CHECK (`state` IN ('pending', 'done'))
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;
