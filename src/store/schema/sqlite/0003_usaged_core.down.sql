DROP TABLE IF EXISTS ${usage}.usaged_alert;
DROP TABLE IF EXISTS ${usage}.usaged_quarantine;
DROP TABLE IF EXISTS ${usage}.usaged_job;
DROP TABLE IF EXISTS ${usage}.usaged_unit;
DROP TABLE IF EXISTS ${usage}.usaged_window;
DROP TRIGGER IF EXISTS ${usage}.tr_cloud_usage__usage_key_kept;
DROP TRIGGER IF EXISTS ${usage}.tr_cloud_usage__usage_key_required;
DROP INDEX IF EXISTS ${usage}.uk_cloud_usage__usage_key;
ALTER TABLE ${usage}.cloud_usage DROP COLUMN usage_key;
