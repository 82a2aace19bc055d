-- The services an incident affects (the RTO clock runs on the tightest of them).
CREATE TABLE incident_services (
    incident_id INTEGER NOT NULL REFERENCES incidents (id),
    service     TEXT    NOT NULL,
    added_at    TEXT    NOT NULL,
    added_by    TEXT    NOT NULL,
    PRIMARY KEY (incident_id, service)
);
INSERT INTO incident_services (incident_id, service, added_at, added_by)
    SELECT id, service, declared_at, declared_by FROM incidents WHERE service != '';
