-- Follow-up completion: the issue number it was filed as (to read and close it), and when,
-- by whom and how it was closed ('' while open).
ALTER TABLE followups ADD COLUMN issue_number INTEGER NOT NULL DEFAULT 0;
ALTER TABLE followups ADD COLUMN done_at      TEXT    NOT NULL DEFAULT '';
ALTER TABLE followups ADD COLUMN done_by      TEXT    NOT NULL DEFAULT '';
ALTER TABLE followups ADD COLUMN outcome      TEXT    NOT NULL DEFAULT '';
CREATE INDEX followups_open_issues ON followups (id) WHERE issue_number > 0 AND done_at = '';
