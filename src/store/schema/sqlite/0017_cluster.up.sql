-- Several usaged nodes on one database (MariaDB only uses them; the embedded
-- store admits one process at a time, but keeps the same schema): registered
-- nodes, named leases and per-unit claims with a fencing token. Times are
-- epoch milliseconds of the database server's clock.
CREATE TABLE ${usage}.usaged_node (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  host varchar(255) NOT NULL,
  pid bigint NOT NULL,
  started_at datetime NOT NULL,
  heartbeat_millis bigint NOT NULL,
  stopped_millis bigint
);
CREATE TABLE ${usage}.usaged_lease (
  name varchar(64) NOT NULL PRIMARY KEY,
  node_id bigint,
  expires_millis bigint NOT NULL DEFAULT 0,
  token bigint NOT NULL DEFAULT 0,
  ready_until_millis bigint,
  job_id bigint,
  published_token bigint NOT NULL DEFAULT 0
);
INSERT OR IGNORE INTO ${usage}.usaged_lease (name) VALUES ('ingest');
CREATE TABLE ${usage}.usaged_claim (
  window_id bigint NOT NULL,
  shard int NOT NULL,
  node_id bigint NOT NULL,
  token bigint NOT NULL,
  expires_millis bigint NOT NULL,
  state varchar(16) NOT NULL CHECK (state IN ('claimed', 'failed')),
  job_id bigint,
  PRIMARY KEY (window_id, shard)
);
CREATE INDEX ${usage}.i_usaged_claim__node ON usaged_claim (node_id);
ALTER TABLE ${usage}.usaged_unit ADD COLUMN node_id bigint;
