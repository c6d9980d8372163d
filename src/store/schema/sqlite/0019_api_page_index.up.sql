-- listUsageRecords pages in the order (start_date, end_date, account_id,
-- usage_type, usage_key, id); with the account fixed this index (rowid last)
-- holds that order, so a page reads only its rows. Replaces the narrower
-- index of migration 0016. See the MariaDB migration of the same number.
CREATE INDEX IF NOT EXISTS ${usage}.i_usaged_cloud_usage__account_page ON cloud_usage
  (account_id, start_date, end_date, usage_type, usage_key);
DROP INDEX IF EXISTS ${usage}.i_usaged_cloud_usage__account_start;
