-- What the healing step repaired, with the ids involved.
CREATE TABLE IF NOT EXISTS ${usage}.`usaged_healing` (
  `id` bigint NOT NULL AUTO_INCREMENT,
  `kind` varchar(32) NOT NULL,
  `table_name` varchar(64) NOT NULL,
  `row_id` bigint,
  `related_id` bigint,
  `detail` varchar(1024) NOT NULL,
  `created_at` datetime NOT NULL,
  PRIMARY KEY (`id`),
  KEY `i_usaged_healing__created` (`created_at`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;
