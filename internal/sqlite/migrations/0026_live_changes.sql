-- The open pages (an incident's, the dashboard, the status page) update themselves when
-- what they show changes: one reader per replica polls this log of which incident each
-- change was about (its timeline, its row, its roles, pages and runs) and tells the
-- browsers watching. SQLite has one writer, so seq grows in commit order. Rows older than
-- an hour go: a reader that falls that far behind checks every page it serves again.
CREATE TABLE live_changes (
    seq         INTEGER PRIMARY KEY AUTOINCREMENT,
    incident_id INTEGER NOT NULL,
    at          INTEGER NOT NULL DEFAULT (CAST(unixepoch('subsec') * 1000 AS INTEGER))
);
-- A first row, so a reader has a position from the start.
INSERT INTO live_changes (incident_id) VALUES (0);
CREATE TRIGGER live_changes_prune AFTER INSERT ON live_changes WHEN new.seq % 1000 = 0
BEGIN DELETE FROM live_changes WHERE at < new.at - 3600000; END;

CREATE TRIGGER live_incident_created AFTER INSERT ON incidents
BEGIN INSERT INTO live_changes (incident_id) VALUES (new.id); END;
CREATE TRIGGER live_incident_changed AFTER UPDATE ON incidents
BEGIN INSERT INTO live_changes (incident_id) VALUES (new.id); END;
CREATE TRIGGER live_event_added AFTER INSERT ON timeline_events
BEGIN INSERT INTO live_changes (incident_id) VALUES (new.incident_id); END;
CREATE TRIGGER live_role_added AFTER INSERT ON incident_roles
BEGIN INSERT INTO live_changes (incident_id) VALUES (new.incident_id); END;
CREATE TRIGGER live_role_changed AFTER UPDATE ON incident_roles
BEGIN INSERT INTO live_changes (incident_id) VALUES (new.incident_id); END;
CREATE TRIGGER live_role_removed AFTER DELETE ON incident_roles
BEGIN INSERT INTO live_changes (incident_id) VALUES (old.incident_id); END;
CREATE TRIGGER live_page_added AFTER INSERT ON pages
BEGIN INSERT INTO live_changes (incident_id) VALUES (new.incident_id); END;
CREATE TRIGGER live_page_changed AFTER UPDATE ON pages
BEGIN INSERT INTO live_changes (incident_id) VALUES (new.incident_id); END;
CREATE TRIGGER live_run_started AFTER INSERT ON runs
BEGIN INSERT INTO live_changes (incident_id) VALUES (new.incident_id); END;
CREATE TRIGGER live_step_changed AFTER UPDATE ON run_steps
BEGIN INSERT INTO live_changes (incident_id) SELECT incident_id FROM runs WHERE id = new.run_id; END;
CREATE TRIGGER live_service_added AFTER INSERT ON incident_services
BEGIN INSERT INTO live_changes (incident_id) VALUES (new.incident_id); END;
