ALTER TABLE ${usage}.`usaged_unit` DROP COLUMN IF EXISTS `node_id`;
DROP TABLE IF EXISTS ${usage}.`usaged_claim`;
DROP TABLE IF EXISTS ${usage}.`usaged_lease`;
DROP TABLE IF EXISTS ${usage}.`usaged_node`;
