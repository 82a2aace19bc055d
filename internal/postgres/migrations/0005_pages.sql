-- The pages read a page at a time: the open and the resolved incidents by ID (the
-- dashboard's list, the status page, App Home), and an incident's events of one kind (the
-- status page's updates) without reading its whole timeline. The resolved ones are read
-- through (status, id), in ID order, so no page sorts them.
CREATE INDEX incidents_open ON incidents (id) WHERE status <> 'resolved';
CREATE INDEX incidents_status_id ON incidents (status, id);
CREATE INDEX timeline_events_kind ON timeline_events (incident_id, kind, seq);
