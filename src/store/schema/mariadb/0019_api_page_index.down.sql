CREATE INDEX IF NOT EXISTS `i_usaged_cloud_usage__account_start` ON ${usage}.`cloud_usage`
  (`account_id`, `start_date`, `end_date`);
DROP INDEX IF EXISTS `i_usaged_cloud_usage__account_page` ON ${usage}.`cloud_usage`;
