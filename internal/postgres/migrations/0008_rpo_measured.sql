-- The data loss a playbook step measured at a database switchover (incident.MeasuredRPO as
-- JSON: window_ms, lag_bytes, basis, step); '' when none did. The review and the KPIs use it
-- where there is one, rpo_achieved (typed with /incident rpo) otherwise.
ALTER TABLE incidents ADD COLUMN rpo_measured TEXT NOT NULL DEFAULT '';
-- The KPIs read it: a change to it is a change to the incident's facts.
DROP TRIGGER stats_incident_changed ON incidents;
CREATE TRIGGER stats_incident_changed AFTER UPDATE ON incidents FOR EACH ROW
    WHEN ((OLD.tier, OLD.status, OLD.private, OLD.drill, OLD.declared_at, OLD.acked_at, OLD.mitigated_at, OLD.resolved_at, OLD.rpo_achieved, OLD.rpo_measured)
          IS DISTINCT FROM (NEW.tier, NEW.status, NEW.private, NEW.drill, NEW.declared_at, NEW.acked_at, NEW.mitigated_at, NEW.resolved_at, NEW.rpo_achieved, NEW.rpo_measured))
    EXECUTE FUNCTION stats_changed();
