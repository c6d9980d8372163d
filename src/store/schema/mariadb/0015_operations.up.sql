-- Operations: a row claimants of generate/regenerate ranges serialise on,
-- the sanity check's findings, and the retention setting chosen at install.
CREATE TABLE IF NOT EXISTS ${usage}.`usaged_mutex` (
  `name` varchar(64) NOT NULL,
  `holder` varchar(255),
  `taken_at` datetime,
  PRIMARY KEY (`name`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;
INSERT IGNORE INTO ${usage}.`usaged_mutex` (`name`) VALUES ('regeneration');

CREATE TABLE IF NOT EXISTS ${usage}.`usaged_sanity_finding` (
  `id` bigint NOT NULL AUTO_INCREMENT,
  `job_id` bigint,
  `kind` varchar(32) NOT NULL,
  `usage_type` int,
  `account_id` bigint,
  `usage_id` bigint,
  `window_start` datetime,
  `window_end` datetime,
  `detail` varchar(1024) NOT NULL,
  `found_at` datetime NOT NULL,
  PRIMARY KEY (`id`),
  KEY `i_usaged_sanity_finding__found_at` (`found_at`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

-- usage.retention.years: 1 on a fresh install; -1 (keep everything, the
-- value CloudStack gives a new setting on upgrade for backward compatibility)
-- on a database that already holds usage data, so an upgrade never deletes
-- history nobody asked to delete. A value an operator set is kept.
INSERT IGNORE INTO ${cloud}.`configuration` (`category`, `instance`, `component`, `name`, `value`,
  `description`, `default_value`)
SELECT 'Usage', 'DEFAULT', 'usage-server', 'usage.retention.years', v, 'Years of cloud_usage records to keep; older ones are deleted by the daily cleanup. 0 or -1 keep everything.', v
FROM (SELECT CASE WHEN EXISTS (SELECT 1 FROM ${usage}.`cloud_usage`)
                    OR EXISTS (SELECT 1 FROM ${usage}.`usage_job`) THEN '-1' ELSE '1' END AS v) AS chosen;
