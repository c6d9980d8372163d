-- Several usaged nodes on one database: registered nodes, named leases (the
-- ingest lease) and per-unit claims with a fencing token. Times are epoch
-- milliseconds of the database server's clock, so nodes never compare their
-- own clocks.
CREATE TABLE IF NOT EXISTS ${usage}.`usaged_node` (
  `id` bigint NOT NULL AUTO_INCREMENT,
  `host` varchar(255) NOT NULL,
  `pid` bigint NOT NULL,
  `started_at` datetime NOT NULL,
  `heartbeat_millis` bigint NOT NULL,
  `stopped_millis` bigint,
  PRIMARY KEY (`id`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

CREATE TABLE IF NOT EXISTS ${usage}.`usaged_lease` (
  `name` varchar(64) NOT NULL,
  `node_id` bigint,
  `expires_millis` bigint NOT NULL DEFAULT 0,
  `token` bigint NOT NULL DEFAULT 0,
  `ready_until_millis` bigint,
  `job_id` bigint,
  `published_token` bigint NOT NULL DEFAULT 0,
  PRIMARY KEY (`name`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

INSERT IGNORE INTO ${usage}.`usaged_lease` (`name`) VALUES ('ingest');

CREATE TABLE IF NOT EXISTS ${usage}.`usaged_claim` (
  `window_id` bigint NOT NULL,
  `shard` int NOT NULL,
  `node_id` bigint NOT NULL,
  `token` bigint NOT NULL,
  `expires_millis` bigint NOT NULL,
  `state` varchar(16) NOT NULL,
  `job_id` bigint,
  PRIMARY KEY (`window_id`, `shard`),
  KEY `i_usaged_claim__node` (`node_id`),
  CONSTRAINT `ck_usaged_claim__state` CHECK (`state` IN ('claimed', 'failed'))
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

-- IF NOT EXISTS: MariaDB commits DDL statement by statement, so a migration
-- that stopped half-way runs again from its first statement.
ALTER TABLE ${usage}.`usaged_unit` ADD COLUMN IF NOT EXISTS `node_id` bigint;
