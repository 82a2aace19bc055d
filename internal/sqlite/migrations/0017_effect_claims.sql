-- Claims: an inflight effect carries the fencing token of the delivery that holds it and
-- when that claim lapses, so a replica that died holding it can be taken over, and a
-- delivery that lost its claim cannot record a result.
ALTER TABLE effects ADD COLUMN claim INTEGER NOT NULL DEFAULT 0;
ALTER TABLE effects ADD COLUMN claimed_until INTEGER NOT NULL DEFAULT 0;
