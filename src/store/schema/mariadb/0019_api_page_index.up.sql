-- listUsageRecords pages through one account's records of a date range in
-- the order (start_date, end_date, account_id, usage_type, usage_key, id).
-- With the account fixed, this index holds exactly that order (InnoDB appends
-- the primary key), so a page of 500 reads 500 index entries and 500 rows
-- instead of every record of the range followed by a sort; the count of the
-- range is answered from the index alone. It replaces the narrower index of
-- migration 0016, a prefix of this one.
CREATE INDEX IF NOT EXISTS `i_usaged_cloud_usage__account_page` ON ${usage}.`cloud_usage`
  (`account_id`, `start_date`, `end_date`, `usage_type`, `usage_key`);
DROP INDEX IF EXISTS `i_usaged_cloud_usage__account_start` ON ${usage}.`cloud_usage`;
