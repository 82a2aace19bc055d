-- The post-incident review filed in the tracker.
ALTER TABLE incidents ADD COLUMN review_number INTEGER NOT NULL DEFAULT 0;
ALTER TABLE incidents ADD COLUMN review_url TEXT NOT NULL DEFAULT '';
ALTER TABLE incidents ADD COLUMN review_filed_at TEXT NOT NULL DEFAULT '';
