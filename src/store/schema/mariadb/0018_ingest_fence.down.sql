ALTER TABLE ${usage}.`usaged_lease` DROP COLUMN IF EXISTS `unit_commits`,
  DROP COLUMN IF EXISTS `changing_token`;
