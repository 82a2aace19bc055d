-- The open pages (an incident's, the dashboard, the status page) update themselves when
-- what they show changes: one reader per replica polls this log of which incident each
-- change was about (its timeline, its row, its roles, pages and runs) and tells the
-- browsers watching, whichever replica made the change. As with stats_changes, a reader's
-- position is the oldest transaction still running when it read (pg_snapshot_xmin).
-- Rows older than an hour go.
CREATE TABLE live_changes (
    seq         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    incident_id BIGINT NOT NULL,
    xid         BIGINT NOT NULL DEFAULT (pg_current_xact_id()::text::bigint),
    at          TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX live_changes_xid ON live_changes (xid);
CREATE INDEX live_changes_at ON live_changes (at);

CREATE FUNCTION live_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_TABLE_NAME = 'incidents' THEN
        INSERT INTO live_changes (incident_id) VALUES (NEW.id);
    ELSIF TG_TABLE_NAME = 'run_steps' THEN
        INSERT INTO live_changes (incident_id) SELECT incident_id FROM runs WHERE id = NEW.run_id;
    ELSIF TG_OP = 'DELETE' THEN
        INSERT INTO live_changes (incident_id) VALUES (OLD.incident_id);
    ELSE
        INSERT INTO live_changes (incident_id) VALUES (NEW.incident_id);
    END IF;
    RETURN NULL;
END $$;

CREATE FUNCTION live_changes_prune() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.seq % 1000 = 0 THEN
        DELETE FROM live_changes WHERE at < now() - interval '1 hour';
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER live_changes_prune AFTER INSERT ON live_changes FOR EACH ROW EXECUTE FUNCTION live_changes_prune();

CREATE TRIGGER live_incident_changed AFTER INSERT OR UPDATE ON incidents FOR EACH ROW EXECUTE FUNCTION live_changed();
CREATE TRIGGER live_event_added AFTER INSERT ON timeline_events FOR EACH ROW EXECUTE FUNCTION live_changed();
CREATE TRIGGER live_role_changed AFTER INSERT OR UPDATE OR DELETE ON incident_roles FOR EACH ROW EXECUTE FUNCTION live_changed();
CREATE TRIGGER live_page_changed AFTER INSERT OR UPDATE ON pages FOR EACH ROW EXECUTE FUNCTION live_changed();
CREATE TRIGGER live_run_started AFTER INSERT ON runs FOR EACH ROW EXECUTE FUNCTION live_changed();
CREATE TRIGGER live_step_changed AFTER UPDATE ON run_steps FOR EACH ROW EXECUTE FUNCTION live_changed();
CREATE TRIGGER live_service_added AFTER INSERT ON incident_services FOR EACH ROW EXECUTE FUNCTION live_changed();
