DROP TABLE IF EXISTS ${usage}.usaged_healing;
