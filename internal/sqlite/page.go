package sqlite

import (
	"database/sql"
	"errors"
	"fmt"

	"github.com/nephoran/incidentbot/internal/incident"
	"github.com/nephoran/incidentbot/internal/storerow"
)

// InsertPage records a page; its key is unique.
func (t *Tx) InsertPage(p *incident.Page) error {
	res, err := t.tx.ExecContext(t.ctx, `INSERT INTO pages (incident_id, role, target, key, pager_id, url, status, acked_by, acked_at, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, p.IncidentID, string(p.Role), storerow.PageTarget(p), p.Key, p.PagerID, p.URL,
		p.Status, p.AckedBy, storerow.FormatTime(p.AckedAt), storerow.FormatTime(p.CreatedAt))
	if err != nil {
		return fmt.Errorf("insert page %s: %w", p.Key, err)
	}
	p.ID, err = res.LastInsertId()
	return err
}

// UpdatePage stores a page's status and acknowledgement.
func (t *Tx) UpdatePage(p *incident.Page) error {
	_, err := t.tx.ExecContext(t.ctx, `UPDATE pages SET status = ?, acked_by = ?, acked_at = ? WHERE id = ?`,
		p.Status, p.AckedBy, storerow.FormatTime(p.AckedAt), p.ID)
	return err
}

// Pages returns the incident's pages in the order they were sent.
func (t *Tx) Pages(incidentID int64) ([]incident.Page, error) {
	rows, err := t.tx.QueryContext(t.ctx, `SELECT `+storerow.PageColumns+` FROM pages WHERE incident_id = ? ORDER BY id`, incidentID)
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

// PageByPagerID finds the page with the given PagerDuty incident ID.
func (t *Tx) PageByPagerID(pagerID string) (*incident.Page, error) {
	p, err := storerow.ScanPage(t.tx.QueryRowContext(t.ctx, `SELECT `+storerow.PageColumns+` FROM pages WHERE pager_id = ? LIMIT 1`, pagerID))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, incident.Errorf(incident.ENOTFOUND, "No page with PagerDuty ID %s.", pagerID)
	}
	return p, err
}

// IncidentByPagerDutyID finds the incident a PagerDuty incident triggered.
func (t *Tx) IncidentByPagerDutyID(id string) (*incident.Incident, error) {
	if id == "" {
		return nil, incident.Errorf(incident.ENOTFOUND, "No such incident.")
	}
	return t.oneIncident(`WHERE pagerduty_id = ? AND pagerduty_id != ''`, id)
}
