-- The ingest lease records when an ingest begins changing the helper tables
-- and counts unit commits (used by several nodes on MariaDB and Galera; the
-- embedded store keeps the same schema).
ALTER TABLE ${usage}.usaged_lease ADD COLUMN changing_token bigint NOT NULL DEFAULT 0;
ALTER TABLE ${usage}.usaged_lease ADD COLUMN unit_commits bigint NOT NULL DEFAULT 0;
