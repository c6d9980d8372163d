ALTER TABLE ${usage}.usaged_lease DROP COLUMN unit_commits;
ALTER TABLE ${usage}.usaged_lease DROP COLUMN changing_token;
