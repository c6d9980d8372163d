DROP TABLE IF EXISTS ${usage}.usaged_async_job;
DROP TABLE IF EXISTS ${usage}.usaged_api_key;
DROP INDEX IF EXISTS ${usage}.i_usaged_cloud_usage__account_start;
