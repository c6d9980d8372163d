DROP TABLE IF EXISTS ${usage}.usaged_async_job;
DROP TABLE IF EXISTS ${usage}.usaged_api_key;
