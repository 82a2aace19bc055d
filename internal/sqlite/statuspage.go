package sqlite

import (
	"database/sql"
	"errors"
	"fmt"

	"github.com/nephoran/incidentbot/internal/incident"
	"github.com/nephoran/incidentbot/internal/storerow"
)

// StatusPageIncident returns the incident's page incident. Errors: ENOTFOUND.
func (t *Tx) StatusPageIncident(incidentID int64) (*incident.StatusPageIncident, error) {
	p := incident.StatusPageIncident{IncidentID: incidentID}
	var status, updated string
	err := t.tx.QueryRowContext(t.ctx, `SELECT page_incident_id, url, status, updated_at FROM statuspage_incidents WHERE incident_id = ?`,
		incidentID).Scan(&p.ID, &p.URL, &status, &updated)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return nil, incident.Errorf(incident.ENOTFOUND, "The incident is not on the status page.")
	case err != nil:
		return nil, fmt.Errorf("status page incident: %w", err)
	}
	p.Status = incident.PublicStatus(status)
	if p.UpdatedAt, err = storerow.ParseTime(updated); err != nil {
		return nil, fmt.Errorf("status page incident: %w", err)
	}
	return &p, nil
}

// SaveStatusPageIncident records the incident's page incident, replacing what was kept.
func (t *Tx) SaveStatusPageIncident(p *incident.StatusPageIncident) error {
	_, err := t.tx.ExecContext(t.ctx, `INSERT INTO statuspage_incidents (incident_id, page_incident_id, url, status, updated_at)
		VALUES (?, ?, ?, ?, ?) ON CONFLICT (incident_id) DO UPDATE SET page_incident_id = excluded.page_incident_id,
		url = excluded.url, status = excluded.status, updated_at = excluded.updated_at`,
		p.IncidentID, p.ID, p.URL, string(p.Status), storerow.FormatTime(p.UpdatedAt))
	if err != nil {
		return fmt.Errorf("save status page incident: %w", err)
	}
	return nil
}
