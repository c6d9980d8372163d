DELETE FROM ${cloud}.`configuration` WHERE `name` = 'usage.retention.years';
DROP TABLE IF EXISTS ${usage}.`usaged_sanity_finding`;
DROP TABLE IF EXISTS ${usage}.`usaged_mutex`;
