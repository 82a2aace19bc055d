package sqlite

import (
	"fmt"

	"github.com/nephoran/incidentbot/internal/incident"
	"github.com/nephoran/incidentbot/internal/storerow"
)

// InsertFollowup records a follow-up and sets its ID.
func (t *Tx) InsertFollowup(f *incident.Followup) error {
	res, err := t.tx.ExecContext(t.ctx, `INSERT INTO followups (incident_id, text, owner, created_by, created_at, issue_url)
		VALUES (?, ?, ?, ?, ?, ?)`, f.IncidentID, f.Text, f.Owner, f.CreatedBy, storerow.FormatTime(f.CreatedAt), f.IssueURL)
	if err != nil {
		return fmt.Errorf("insert follow-up: %w", err)
	}
	f.ID, err = res.LastInsertId()
	return err
}

// Followups returns the incident's follow-ups in the order they were added.
func (t *Tx) Followups(incidentID int64) ([]incident.Followup, error) {
	return t.followups(`SELECT `+storerow.FollowupColumns+` FROM followups WHERE incident_id = ? ORDER BY id`, incidentID)
}

// OpenFollowupIssues returns the open follow-ups of every incident that were filed as issues.
func (t *Tx) OpenFollowupIssues() ([]incident.Followup, error) {
	return t.followups(`SELECT ` + storerow.FollowupColumns + ` FROM followups WHERE issue_number > 0 AND done_at = '' ORDER BY id`)
}

func (t *Tx) followups(query string, args ...any) ([]incident.Followup, error) {
	rows, err := t.tx.QueryContext(t.ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []incident.Followup
	for rows.Next() {
		f, err := storerow.ScanFollowup(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, f)
	}
	return out, rows.Err()
}

// SetFollowupIssue records the issue a follow-up became.
func (t *Tx) SetFollowupIssue(id int64, ref incident.IssueRef) error {
	_, err := t.tx.ExecContext(t.ctx, `UPDATE followups SET issue_url = ?, issue_number = ? WHERE id = ?`, ref.URL, ref.Number, id)
	return err
}

// CompleteFollowup records that a follow-up was closed; a closed one stays as it was.
func (t *Tx) CompleteFollowup(f *incident.Followup) error {
	res, err := t.tx.ExecContext(t.ctx, `UPDATE followups SET done_at = ?, done_by = ?, outcome = ? WHERE id = ? AND done_at = ''`,
		storerow.FormatTime(f.DoneAt), f.DoneBy, f.Outcome, f.ID)
	if err != nil {
		return err
	}
	if n, err := res.RowsAffected(); err != nil || n != 1 {
		return incident.Errorf(incident.ECONFLICT, "Follow-up #%d is already closed.", f.ID)
	}
	return nil
}
