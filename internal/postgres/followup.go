package postgres

import (
	"fmt"

	"github.com/nephoran/incidentbot/internal/incident"
	"github.com/nephoran/incidentbot/internal/storerow"
)

// InsertFollowup records a follow-up and sets its ID.
func (t *Tx) InsertFollowup(f *incident.Followup) error {
	err := t.tx.QueryRow(t.ctx, `INSERT INTO followups (incident_id, text, owner, created_by, created_at, issue_url)
		VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`, f.IncidentID, f.Text, f.Owner, f.CreatedBy, storerow.FormatTime(f.CreatedAt), f.IssueURL).Scan(&f.ID)
	if err != nil {
		return fmt.Errorf("insert follow-up: %w", err)
	}
	return nil
}

// Followups returns the incident's follow-ups in the order they were added.
func (t *Tx) Followups(incidentID int64) ([]incident.Followup, error) {
	return t.followups(`SELECT `+storerow.FollowupColumns+` FROM followups WHERE incident_id = $1 ORDER BY id`, incidentID)
}

// OpenFollowupIssues returns the open follow-ups of every incident that were filed as issues.
func (t *Tx) OpenFollowupIssues() ([]incident.Followup, error) {
	return t.followups(`SELECT ` + storerow.FollowupColumns + ` FROM followups WHERE issue_number > 0 AND done_at = '' ORDER BY id`)
}

func (t *Tx) followups(query string, args ...any) ([]incident.Followup, error) {
	rows, err := t.tx.Query(t.ctx, query, args...)
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
	_, err := t.tx.Exec(t.ctx, `UPDATE followups SET issue_url = $1, issue_number = $2 WHERE id = $3`, ref.URL, ref.Number, id)
	if err != nil {
		return fmt.Errorf("set the issue of follow-up %d: %w", id, err)
	}
	return nil
}

// CompleteFollowup records that a follow-up was closed; a closed one stays as it was.
// Errors: ECONFLICT when it was already closed (or does not exist).
func (t *Tx) CompleteFollowup(f *incident.Followup) error {
	tag, err := t.tx.Exec(t.ctx, `UPDATE followups SET done_at = $1, done_by = $2, outcome = $3 WHERE id = $4 AND done_at = ''`,
		storerow.FormatTime(f.DoneAt), f.DoneBy, f.Outcome, f.ID)
	if err != nil {
		return fmt.Errorf("complete follow-up %d: %w", f.ID, err)
	}
	if tag.RowsAffected() != 1 {
		return incident.Errorf(incident.ECONFLICT, "Follow-up #%d is already closed.", f.ID)
	}
	return nil
}
