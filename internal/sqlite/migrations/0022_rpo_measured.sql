-- The data loss a playbook step measured at a database switchover (incident.MeasuredRPO as
-- JSON: window_ms, lag_bytes, basis, step); '' when none did. The review and the KPIs use it
-- where there is one, rpo_achieved (typed with /incident rpo) otherwise.
ALTER TABLE incidents ADD COLUMN rpo_measured TEXT NOT NULL DEFAULT '';
-- The KPIs read it: a change to it is a change to the incident's facts.
DROP TRIGGER stats_incident_changed;
CREATE TRIGGER stats_incident_changed AFTER UPDATE ON incidents
WHEN old.tier IS NOT new.tier OR old.status IS NOT new.status OR old.private IS NOT new.private
  OR old.drill IS NOT new.drill OR old.declared_at IS NOT new.declared_at OR old.acked_at IS NOT new.acked_at
  OR old.mitigated_at IS NOT new.mitigated_at OR old.resolved_at IS NOT new.resolved_at
  OR old.rpo_achieved IS NOT new.rpo_achieved OR old.rpo_measured IS NOT new.rpo_measured
BEGIN INSERT INTO stats_changes (incident_id) VALUES (new.id); END;
