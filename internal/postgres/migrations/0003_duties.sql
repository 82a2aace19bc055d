-- Singleton duties (drill reminders, follow-up sync): one row per duty, locked FOR UPDATE
-- NOWAIT by the transaction of the replica running a pass, so one runs it at a time.
CREATE TABLE duties (
    name TEXT PRIMARY KEY
);
