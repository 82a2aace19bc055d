-- The pages read a page at a time: the open and the resolved incidents by ID (the
-- dashboard's list, the status page, App Home), the counts by status, and an incident's
-- events of one kind (the status page's updates) without reading its whole timeline.
CREATE INDEX incidents_open ON incidents (id) WHERE status <> 'resolved';
CREATE INDEX incidents_resolved ON incidents (id) WHERE status = 'resolved';
CREATE INDEX incidents_status ON incidents (status, severity);
CREATE INDEX timeline_events_kind ON timeline_events (incident_id, kind, seq);
