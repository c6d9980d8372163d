-- What the healing step repaired, with the ids involved.
CREATE TABLE ${usage}.usaged_healing (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  kind varchar(32) NOT NULL,
  table_name varchar(64) NOT NULL,
  row_id bigint,
  related_id bigint,
  detail varchar(1024) NOT NULL,
  created_at datetime NOT NULL
);
CREATE INDEX ${usage}.i_usaged_healing__created ON usaged_healing (created_at);
