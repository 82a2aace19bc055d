package sqlite

import (
	"fmt"

	"github.com/nephoran/incidentbot/internal/incident"
)

// InsertFollowup records a follow-up and sets its ID.
func (t *Tx) InsertFollowup(f *incident.Followup) error {
	res, err := t.tx.ExecContext(t.ctx, `INSERT INTO followups (incident_id, text, owner, created_by, created_at, issue_url)
		VALUES (?, ?, ?, ?, ?, ?)`, f.IncidentID, f.Text, f.Owner, f.CreatedBy, formatTime(f.CreatedAt), f.IssueURL)
	if err != nil {
		return fmt.Errorf("insert follow-up: %w", err)
	}
	f.ID, err = res.LastInsertId()
	return err
}

// Followups returns the incident's follow-ups in the order they were added.
func (t *Tx) Followups(incidentID int64) ([]incident.Followup, error) {
	rows, err := t.tx.QueryContext(t.ctx, `SELECT id, incident_id, text, owner, created_by, created_at, issue_url
		FROM followups WHERE incident_id = ? ORDER BY id`, incidentID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []incident.Followup
	for rows.Next() {
		var f incident.Followup
		var created string
		if err := rows.Scan(&f.ID, &f.IncidentID, &f.Text, &f.Owner, &f.CreatedBy, &created, &f.IssueURL); err != nil {
			return nil, err
		}
		if f.CreatedAt, err = parseTime(created); err != nil {
			return nil, err
		}
		out = append(out, f)
	}
	return out, rows.Err()
}

// SetFollowupIssue records the issue a follow-up became.
func (t *Tx) SetFollowupIssue(id int64, url string) error {
	_, err := t.tx.ExecContext(t.ctx, `UPDATE followups SET issue_url = ? WHERE id = ?`, url, id)
	return err
}
