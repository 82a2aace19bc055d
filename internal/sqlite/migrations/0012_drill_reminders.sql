-- The drill reminders posted, one per schedule entry and period, kept for good (the seen
-- ledger forgets after a week; a quarterly reminder must not repeat).
CREATE TABLE drill_reminders (
    key       TEXT    PRIMARY KEY, -- entry name and period, such as regional-failover:2026-Q4
    posted_at INTEGER NOT NULL     -- unix milliseconds
);
