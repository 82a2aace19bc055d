-- The KPIs read the incidents declared in a period (the dashboard: the last 30 days) without
-- reading the whole history.
CREATE INDEX incidents_declared ON incidents (declared_at);
