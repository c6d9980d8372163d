CREATE INDEX IF NOT EXISTS ${usage}.i_usaged_cloud_usage__account_start ON cloud_usage
  (account_id, start_date, end_date);
DROP INDEX IF EXISTS ${usage}.i_usaged_cloud_usage__account_page;
