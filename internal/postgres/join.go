package postgres

import (
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/nephoran/incidentbot/internal/incident"
	"github.com/nephoran/incidentbot/internal/storerow"
)

// OpenIncidentOf returns the latest declared open incident, not a drill, that affects
// service and was declared at or after since (locked in a write transaction). A write
// transaction first takes the numbering row, as NextIncidentNumber does: a declaration in
// flight holds it until it commits, and the query (a fresh snapshot under READ COMMITTED)
// then sees the incident it declared. Errors: ENOTFOUND.
func (t *Tx) OpenIncidentOf(service string, since time.Time) (*incident.Incident, error) {
	if err := t.lockIncidentSet(); err != nil {
		return nil, err
	}
	var id int64
	err := t.tx.QueryRow(t.ctx, `SELECT i.id FROM incidents i
		WHERE i.status <> 'resolved' AND NOT i.drill AND i.declared_at >= $1
		AND EXISTS (SELECT 1 FROM incident_services s WHERE s.incident_id = i.id AND s.service = $2)
		ORDER BY i.declared_at DESC, i.id DESC LIMIT 1`, storerow.FormatTime(since), service).Scan(&id)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, incident.Errorf(incident.ENOTFOUND, "No open incident of %s.", service)
	}
	if err != nil {
		return nil, fmt.Errorf("find the open incident of %s: %w", service, err)
	}
	return t.Incident(id)
}
