-- Incidents, their hash-chained timeline, the effects outbox and the dedup ledger.
CREATE TABLE incidents (
    id             INTEGER PRIMARY KEY,
    number         INTEGER NOT NULL UNIQUE,
    title          TEXT    NOT NULL,
    description    TEXT    NOT NULL DEFAULT '',
    severity       TEXT    NOT NULL CHECK (severity IN ('P0', 'P1', 'P2', 'P3')),
    service        TEXT    NOT NULL DEFAULT '',
    tier           INTEGER NOT NULL DEFAULT 0,
    status         TEXT    NOT NULL CHECK (status IN ('investigating', 'mitigated', 'resolved')),
    private        INTEGER NOT NULL DEFAULT 0,
    declared_by    TEXT    NOT NULL,
    commander      TEXT    NOT NULL,
    origin_channel TEXT    NOT NULL DEFAULT '',
    channel_id     TEXT    NOT NULL DEFAULT '',
    channel_name   TEXT    NOT NULL DEFAULT '',
    card_ts        TEXT    NOT NULL DEFAULT '',
    declared_at    TEXT    NOT NULL,
    mitigated_at   TEXT    NOT NULL DEFAULT '',
    resolved_at    TEXT    NOT NULL DEFAULT '',
    summary        TEXT    NOT NULL DEFAULT ''
);
CREATE UNIQUE INDEX incidents_channel ON incidents (channel_id) WHERE channel_id != '';

CREATE TABLE timeline_events (
    id          INTEGER PRIMARY KEY,
    incident_id INTEGER NOT NULL REFERENCES incidents (id),
    seq         INTEGER NOT NULL,
    at          TEXT    NOT NULL,
    actor       TEXT    NOT NULL,
    kind        TEXT    NOT NULL,
    text        TEXT    NOT NULL,
    prev_hash   TEXT    NOT NULL,
    hash        TEXT    NOT NULL,
    UNIQUE (incident_id, seq)
);
-- The timeline is evidence: append-only.
CREATE TRIGGER timeline_events_no_update BEFORE UPDATE ON timeline_events
BEGIN SELECT RAISE(ABORT, 'timeline events are append-only'); END;
CREATE TRIGGER timeline_events_no_delete BEFORE DELETE ON timeline_events
BEGIN SELECT RAISE(ABORT, 'timeline events are append-only'); END;

CREATE TABLE effects (
    id              INTEGER PRIMARY KEY,
    incident_id     INTEGER NOT NULL REFERENCES incidents (id),
    kind            TEXT    NOT NULL,
    key             TEXT    NOT NULL UNIQUE,
    payload         TEXT    NOT NULL DEFAULT '',
    state           TEXT    NOT NULL CHECK (state IN ('pending', 'inflight', 'done', 'failed')),
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER NOT NULL, -- unix milliseconds
    last_error      TEXT    NOT NULL DEFAULT '',
    created_at      INTEGER NOT NULL  -- unix milliseconds
);
CREATE INDEX effects_due ON effects (state, next_attempt_at);
CREATE INDEX effects_incident ON effects (incident_id);

-- Keys of deliveries already handled (Slack event IDs, webhook IDs), for deduplication.
CREATE TABLE seen (
    key TEXT    PRIMARY KEY,
    at  INTEGER NOT NULL -- unix milliseconds
);
CREATE INDEX seen_at ON seen (at);
