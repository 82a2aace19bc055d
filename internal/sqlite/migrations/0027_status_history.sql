-- The status page's history reads the incidents open at some time in its last 90 days:
-- the open ones and those resolved since, through this index, without reading the whole
-- history.
CREATE INDEX incidents_resolved_at ON incidents (status, resolved_at);
