package sqlite

import (
	"database/sql"
	"errors"
	"time"

	"github.com/nephoran/incidentbot/internal/incident"
	"github.com/nephoran/incidentbot/internal/storerow"
)

// OpenIncidentOf returns the latest declared open incident, not a drill, that affects
// service and was declared at or after since. SQLite has one writer, so nothing declares
// meanwhile. Errors: ENOTFOUND.
func (t *Tx) OpenIncidentOf(service string, since time.Time) (*incident.Incident, error) {
	var id int64
	err := t.tx.QueryRowContext(t.ctx, `SELECT i.id FROM incidents i
		WHERE i.status != 'resolved' AND i.drill = 0 AND i.declared_at >= ?
		AND EXISTS (SELECT 1 FROM incident_services s WHERE s.incident_id = i.id AND s.service = ?)
		ORDER BY i.declared_at DESC, i.id DESC LIMIT 1`, storerow.FormatTime(since), service).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, incident.Errorf(incident.ENOTFOUND, "No open incident of %s.", service)
	}
	if err != nil {
		return nil, err
	}
	return t.Incident(id)
}
