-- The page incident each incident has on the hosted status page (Atlassian Statuspage),
-- once it is known: later publications update it instead of creating another.
CREATE TABLE statuspage_incidents (
    incident_id      INTEGER PRIMARY KEY REFERENCES incidents (id),
    page_incident_id TEXT    NOT NULL, -- Statuspage's incident id
    url              TEXT    NOT NULL DEFAULT '', -- its shortlink
    status           TEXT    NOT NULL DEFAULT '', -- the last public status published
    updated_at       TEXT    NOT NULL DEFAULT ''  -- when it was last published (UTC, ms)
);
