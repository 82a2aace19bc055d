-- The data loss window recorded for the incident (the RPO achieved), in milliseconds; -1: not recorded.
ALTER TABLE incidents ADD COLUMN rpo_achieved INTEGER NOT NULL DEFAULT -1;
