-- Exercises: marked everywhere, paged nobody (or a drill policy), changed nothing real.
ALTER TABLE incidents ADD COLUMN drill INTEGER NOT NULL DEFAULT 0;
