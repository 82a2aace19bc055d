-- The share of customers affected, by segment (JSON), and the follow-ups of an incident.
ALTER TABLE incidents ADD COLUMN impact TEXT NOT NULL DEFAULT '{}';
CREATE TABLE followups (
    id          INTEGER PRIMARY KEY,
    incident_id INTEGER NOT NULL REFERENCES incidents (id),
    text        TEXT    NOT NULL,
    owner       TEXT    NOT NULL DEFAULT '',
    created_by  TEXT    NOT NULL,
    created_at  TEXT    NOT NULL,
    issue_url   TEXT    NOT NULL DEFAULT ''
);
CREATE INDEX followups_incident ON followups (incident_id);
