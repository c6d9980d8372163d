ALTER TABLE ${usage}.`usaged_lease` DROP COLUMN `unit_commits`, DROP COLUMN `changing_token`;
