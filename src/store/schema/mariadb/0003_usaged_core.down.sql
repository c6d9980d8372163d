DROP INDEX IF EXISTS `uk_cloud_usage__usage_key` ON ${usage}.`cloud_usage`;
ALTER TABLE ${usage}.`cloud_usage` DROP COLUMN IF EXISTS `usage_key`;
DROP TABLE IF EXISTS ${usage}.`usaged_alert`;
DROP TABLE IF EXISTS ${usage}.`usaged_quarantine`;
DROP TABLE IF EXISTS ${usage}.`usaged_job`;
DROP TABLE IF EXISTS ${usage}.`usaged_unit`;
DROP TABLE IF EXISTS ${usage}.`usaged_window`;
