-- Claims (SQLite's 0017): an inflight effect carries the fencing token of the delivery that
-- holds it and when that claim lapses (unix milliseconds; 0 for none), so a replica that died
-- holding it can be taken over, and a delivery that lost its claim cannot record a result.
ALTER TABLE effects ADD COLUMN claim BIGINT NOT NULL DEFAULT 0;
ALTER TABLE effects ADD COLUMN claimed_until BIGINT NOT NULL DEFAULT 0;
CREATE INDEX effects_lapsed ON effects (claimed_until) WHERE state = 'inflight';
