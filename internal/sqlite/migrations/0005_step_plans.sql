-- The server-side dry-run plan of a step and when it was made.
ALTER TABLE run_steps ADD COLUMN plan TEXT NOT NULL DEFAULT '';
ALTER TABLE run_steps ADD COLUMN planned_at TEXT NOT NULL DEFAULT '';
