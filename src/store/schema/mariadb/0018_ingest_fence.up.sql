-- The ingest lease records when an ingest begins changing the helper tables
-- (`changing_token`, the token of that ingest), and every unit commit writes
-- the lease row (`unit_commits`). On a Galera cluster, where row locks do not
-- reach across DB nodes, those two writes to one row make the cluster refuse
-- one of a unit commit and an ingest start that overlap, so a unit whose
-- claim an ingest did not see cannot commit records parsed while the ingest
-- changed the tables.
ALTER TABLE ${usage}.`usaged_lease`
  ADD COLUMN IF NOT EXISTS `changing_token` bigint NOT NULL DEFAULT 0,
  ADD COLUMN IF NOT EXISTS `unit_commits` bigint NOT NULL DEFAULT 0;
