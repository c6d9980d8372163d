-- Restatements: windows already billed that a late event changed, per
-- account. The next run re-parses them (delete + insert in one transaction).
CREATE TABLE ${usage}.usaged_restatement (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  window_id bigint NOT NULL,
  shard int NOT NULL,
  account_id bigint NOT NULL,
  event_id bigint NOT NULL,
  state varchar(16) NOT NULL DEFAULT 'pending',
  created_at datetime NOT NULL,
  job_id bigint,
  records_before bigint,
  records_after bigint,
  done_at datetime,
  CHECK (state IN ('pending', 'done'))
);
CREATE INDEX ${usage}.i_usaged_restatement__state ON usaged_restatement (state, window_id);
