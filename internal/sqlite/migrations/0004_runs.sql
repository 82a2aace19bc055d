-- Playbook runs and their steps. Step state changes are compare-and-set inside the single
-- writer's transactions.
CREATE TABLE runs (
    id          INTEGER PRIMARY KEY,
    incident_id INTEGER NOT NULL REFERENCES incidents (id),
    playbook    TEXT    NOT NULL,
    title       TEXT    NOT NULL,
    params      TEXT    NOT NULL, -- JSON
    started_by  TEXT    NOT NULL,
    started_at  TEXT    NOT NULL,
    card_ts     TEXT    NOT NULL DEFAULT ''
);
CREATE INDEX runs_incident ON runs (incident_id);

CREATE TABLE run_steps (
    id           INTEGER PRIMARY KEY,
    run_id       INTEGER NOT NULL REFERENCES runs (id),
    seq          INTEGER NOT NULL,
    phase        INTEGER NOT NULL,
    phase_name   TEXT    NOT NULL,
    phase_after  INTEGER NOT NULL, -- milliseconds from the start of the run
    phase_within INTEGER NOT NULL,
    spec         TEXT    NOT NULL, -- JSON of the rendered step
    state        TEXT    NOT NULL CHECK (state IN ('pending', 'awaiting_approval', 'approved', 'running',
                                     'succeeded', 'failed', 'unknown', 'skipped', 'rejected')),
    requested_by TEXT    NOT NULL DEFAULT '',
    approved_by  TEXT    NOT NULL DEFAULT '',
    decided_by   TEXT    NOT NULL DEFAULT '',
    attempts     INTEGER NOT NULL DEFAULT 0,
    output       TEXT    NOT NULL DEFAULT '',
    card_ts      TEXT    NOT NULL DEFAULT '',
    updated_at   TEXT    NOT NULL,
    UNIQUE (run_id, seq)
);
CREATE INDEX run_steps_state ON run_steps (state);
