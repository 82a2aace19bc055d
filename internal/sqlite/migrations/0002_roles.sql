-- Crisis roles held in each incident (the commander also lives in incidents.commander),
-- and the on-call person PagerDuty names for each role.
CREATE TABLE incident_roles (
    incident_id INTEGER NOT NULL REFERENCES incidents (id),
    role        TEXT    NOT NULL,
    holder      TEXT    NOT NULL DEFAULT '',
    oncall      TEXT    NOT NULL DEFAULT '',
    PRIMARY KEY (incident_id, role)
);
