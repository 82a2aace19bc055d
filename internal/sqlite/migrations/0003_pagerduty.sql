-- PagerDuty: the incident that triggered ours (if any), the first acknowledgement (MTTA),
-- and every page the bot sent.
ALTER TABLE incidents ADD COLUMN pagerduty_id TEXT NOT NULL DEFAULT '';
ALTER TABLE incidents ADD COLUMN pagerduty_url TEXT NOT NULL DEFAULT '';
ALTER TABLE incidents ADD COLUMN acked_at TEXT NOT NULL DEFAULT '';
ALTER TABLE incidents ADD COLUMN acked_by TEXT NOT NULL DEFAULT '';
-- One incident per PagerDuty incident, however deliveries race.
CREATE UNIQUE INDEX incidents_pagerduty ON incidents (pagerduty_id) WHERE pagerduty_id != '';

CREATE TABLE pages (
    id          INTEGER PRIMARY KEY,
    incident_id INTEGER NOT NULL REFERENCES incidents (id),
    role        TEXT    NOT NULL DEFAULT '',
    target      TEXT    NOT NULL, -- JSON of the target, without secrets
    key         TEXT    NOT NULL UNIQUE,
    pager_id    TEXT    NOT NULL,
    url         TEXT    NOT NULL DEFAULT '',
    status      TEXT    NOT NULL DEFAULT 'triggered',
    acked_by    TEXT    NOT NULL DEFAULT '',
    acked_at    TEXT    NOT NULL DEFAULT '',
    created_at  TEXT    NOT NULL
);
CREATE INDEX pages_incident ON pages (incident_id);
CREATE INDEX pages_pager_id ON pages (pager_id);
