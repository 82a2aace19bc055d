-- Timeline events store what happened as data (a JSON object) instead of Slack text. Events
-- written before keep their text and their format 1 hash; new ones are format 2.
ALTER TABLE timeline_events ADD COLUMN format INTEGER NOT NULL DEFAULT 1;
ALTER TABLE timeline_events ADD COLUMN data TEXT NOT NULL DEFAULT '';
