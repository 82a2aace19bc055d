-- The KPIs (/incident stats, the dashboard) keep what they read of each incident in memory
-- and read again only the incidents whose facts changed since: these triggers log which
-- incident each change to those facts (kind, tier, status, times, RPO, services, runs'
-- steps, follow-ups) was about. SQLite has one writer, so seq grows in commit order and a
-- reader that has seen seq n has seen every change up to n. Rows older than a day go.
CREATE TABLE stats_changes (
    seq         INTEGER PRIMARY KEY AUTOINCREMENT,
    incident_id INTEGER NOT NULL,
    at          INTEGER NOT NULL DEFAULT (CAST(unixepoch('subsec') * 1000 AS INTEGER))
);
-- A first row, so a reader has a position from the start.
INSERT INTO stats_changes (incident_id) VALUES (0);
CREATE TRIGGER stats_changes_prune AFTER INSERT ON stats_changes WHEN new.seq % 1000 = 0
BEGIN DELETE FROM stats_changes WHERE at < new.at - 86400000; END;

CREATE TRIGGER stats_incident_created AFTER INSERT ON incidents
BEGIN INSERT INTO stats_changes (incident_id) VALUES (new.id); END;
CREATE TRIGGER stats_incident_changed AFTER UPDATE ON incidents
WHEN old.tier IS NOT new.tier OR old.status IS NOT new.status OR old.private IS NOT new.private
  OR old.drill IS NOT new.drill OR old.declared_at IS NOT new.declared_at OR old.acked_at IS NOT new.acked_at
  OR old.mitigated_at IS NOT new.mitigated_at OR old.resolved_at IS NOT new.resolved_at
  OR old.rpo_achieved IS NOT new.rpo_achieved
BEGIN INSERT INTO stats_changes (incident_id) VALUES (new.id); END;
CREATE TRIGGER stats_service_added AFTER INSERT ON incident_services
BEGIN INSERT INTO stats_changes (incident_id) VALUES (new.incident_id); END;
CREATE TRIGGER stats_run_started AFTER INSERT ON runs
BEGIN INSERT INTO stats_changes (incident_id) VALUES (new.incident_id); END;
CREATE TRIGGER stats_step_changed AFTER UPDATE OF state ON run_steps WHEN old.state IS NOT new.state
BEGIN INSERT INTO stats_changes (incident_id) SELECT incident_id FROM runs WHERE id = new.run_id; END;
CREATE TRIGGER stats_followup_added AFTER INSERT ON followups
BEGIN INSERT INTO stats_changes (incident_id) VALUES (new.incident_id); END;
CREATE TRIGGER stats_followup_changed AFTER UPDATE ON followups
WHEN old.issue_url IS NOT new.issue_url OR old.done_at IS NOT new.done_at OR old.outcome IS NOT new.outcome
  OR old.created_at IS NOT new.created_at
BEGIN INSERT INTO stats_changes (incident_id) VALUES (new.incident_id); END;
