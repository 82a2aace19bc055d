-- The KPIs (/incident stats, the dashboard) keep what they read of each incident in memory
-- and read again only the incidents whose facts changed since: these triggers log which
-- incident each change to those facts (kind, tier, status, times, RPO, services, runs'
-- steps, follow-ups) was about, with the ID of the transaction that made it. Transactions
-- commit in any order, so a reader's position is not a row but the oldest transaction still
-- running when it read (pg_snapshot_xmin): every change of an older one was visible to it.
-- Rows older than a day go.
CREATE TABLE stats_changes (
    seq         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    incident_id BIGINT NOT NULL,
    xid         BIGINT NOT NULL DEFAULT (pg_current_xact_id()::text::bigint),
    at          TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX stats_changes_xid ON stats_changes (xid);
CREATE INDEX stats_changes_at ON stats_changes (at);

CREATE FUNCTION stats_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_TABLE_NAME = 'incidents' THEN
        INSERT INTO stats_changes (incident_id) VALUES (NEW.id);
    ELSIF TG_TABLE_NAME = 'run_steps' THEN
        INSERT INTO stats_changes (incident_id) SELECT incident_id FROM runs WHERE id = NEW.run_id;
    ELSE
        INSERT INTO stats_changes (incident_id) VALUES (NEW.incident_id);
    END IF;
    RETURN NULL;
END $$;

CREATE FUNCTION stats_changes_prune() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.seq % 1000 = 0 THEN
        DELETE FROM stats_changes WHERE at < now() - interval '1 day';
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER stats_changes_prune AFTER INSERT ON stats_changes FOR EACH ROW EXECUTE FUNCTION stats_changes_prune();

CREATE TRIGGER stats_incident_created AFTER INSERT ON incidents FOR EACH ROW EXECUTE FUNCTION stats_changed();
CREATE TRIGGER stats_incident_changed AFTER UPDATE ON incidents FOR EACH ROW
    WHEN ((OLD.tier, OLD.status, OLD.private, OLD.drill, OLD.declared_at, OLD.acked_at, OLD.mitigated_at, OLD.resolved_at, OLD.rpo_achieved)
          IS DISTINCT FROM (NEW.tier, NEW.status, NEW.private, NEW.drill, NEW.declared_at, NEW.acked_at, NEW.mitigated_at, NEW.resolved_at, NEW.rpo_achieved))
    EXECUTE FUNCTION stats_changed();
CREATE TRIGGER stats_service_added AFTER INSERT ON incident_services FOR EACH ROW EXECUTE FUNCTION stats_changed();
CREATE TRIGGER stats_run_started AFTER INSERT ON runs FOR EACH ROW EXECUTE FUNCTION stats_changed();
CREATE TRIGGER stats_step_changed AFTER UPDATE OF state ON run_steps FOR EACH ROW
    WHEN (OLD.state IS DISTINCT FROM NEW.state) EXECUTE FUNCTION stats_changed();
CREATE TRIGGER stats_followup_added AFTER INSERT ON followups FOR EACH ROW EXECUTE FUNCTION stats_changed();
CREATE TRIGGER stats_followup_changed AFTER UPDATE ON followups FOR EACH ROW
    WHEN ((OLD.issue_url, OLD.done_at, OLD.outcome, OLD.created_at) IS DISTINCT FROM (NEW.issue_url, NEW.done_at, NEW.outcome, NEW.created_at))
    EXECUTE FUNCTION stats_changed();
