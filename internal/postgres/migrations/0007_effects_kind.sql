-- A command that pages or files a review looks for the incident's effects of one kind,
-- not through all of them (an incident with thousands of notes has thousands of notices).
CREATE INDEX effects_incident_kind ON effects (incident_id, kind);
DROP INDEX effects_incident;
-- A declaration looks for a repeat of itself among its declarer's latest ones, not among
-- every incident of the window (a storm of declarations fills it).
CREATE INDEX incidents_declarer ON incidents (declared_by, declared_at);
