-- When each audience last got an update (JSON: audience -> time), for the cadence reminders.
ALTER TABLE incidents ADD COLUMN comms TEXT NOT NULL DEFAULT '{}';
