package postgres

import (
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/nephoran/incidentbot/internal/incident"
	"github.com/nephoran/incidentbot/internal/storerow"
)

// InsertPage records a page and sets its ID; its key is unique.
func (t *Tx) InsertPage(p *incident.Page) error {
	err := t.tx.QueryRow(t.ctx, `INSERT INTO pages (incident_id, role, target, key, pager_id, url, status, acked_by, acked_at, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id`, p.IncidentID, string(p.Role), storerow.PageTarget(p), p.Key, p.PagerID, p.URL,
		p.Status, p.AckedBy, storerow.FormatTime(p.AckedAt), storerow.FormatTime(p.CreatedAt)).Scan(&p.ID)
	if err != nil {
		return fmt.Errorf("insert page %s: %w", p.Key, err)
	}
	return nil
}

// UpdatePage stores a page's status and acknowledgement.
func (t *Tx) UpdatePage(p *incident.Page) error {
	_, err := t.tx.Exec(t.ctx, `UPDATE pages SET status = $1, acked_by = $2, acked_at = $3 WHERE id = $4`,
		p.Status, p.AckedBy, storerow.FormatTime(p.AckedAt), p.ID)
	if err != nil {
		return fmt.Errorf("update page %s: %w", p.Key, err)
	}
	return nil
}

// Pages returns the incident's pages in the order they were sent.
func (t *Tx) Pages(incidentID int64) ([]incident.Page, error) {
	rows, err := t.tx.Query(t.ctx, `SELECT `+storerow.PageColumns+` FROM pages WHERE incident_id = $1 ORDER BY id`, incidentID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []incident.Page
	for rows.Next() {
		p, err := storerow.ScanPage(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, *p)
	}
	return out, rows.Err()
}

// PageByPagerID finds the page with the given PagerDuty incident ID. Errors: ENOTFOUND.
func (t *Tx) PageByPagerID(pagerID string) (*incident.Page, error) {
	p, err := storerow.ScanPage(t.tx.QueryRow(t.ctx, `SELECT `+storerow.PageColumns+` FROM pages WHERE pager_id = $1 ORDER BY id LIMIT 1`, pagerID))
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, incident.Errorf(incident.ENOTFOUND, "No page with PagerDuty ID %s.", pagerID)
	}
	return p, err
}

// IncidentByPagerDutyID finds the incident a PagerDuty incident triggered. In a write
// transaction it locks the set of incidents first, and the incident: so a delivery that finds
// none and declares one is not raced by another declaring the same. Errors: ENOTFOUND.
func (t *Tx) IncidentByPagerDutyID(id string) (*incident.Incident, error) {
	if id == "" {
		return nil, incident.Errorf(incident.ENOTFOUND, "No such incident.")
	}
	if err := t.lockIncidentSet(); err != nil {
		return nil, err
	}
	return t.oneIncident(`WHERE pagerduty_id = $1 AND pagerduty_id <> ''`+t.forUpdate(), id)
}
