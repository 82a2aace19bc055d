package sqlite

import (
	"fmt"

	"github.com/nephoran/incidentbot/internal/incident"
)

// LiveChanges returns the changes logged after position from (the live_changes row seen
// last: SQLite's one writer numbers changes in commit order, so every change up to it was
// seen), and the last row's position.
func (t *Tx) LiveChanges(from int64) ([]incident.LiveChange, int64, error) {
	var next int64
	if err := t.tx.QueryRowContext(t.ctx, `SELECT coalesce(max(seq), 0) FROM live_changes`).Scan(&next); err != nil {
		return nil, 0, fmt.Errorf("read the pages' changes: %w", err)
	}
	if from == 0 || next <= from {
		return nil, next, nil
	}
	rows, err := t.tx.QueryContext(t.ctx, `SELECT seq, incident_id FROM live_changes WHERE seq > ? AND seq <= ? AND incident_id > 0 ORDER BY seq`, from, next)
	if err != nil {
		return nil, 0, fmt.Errorf("read the pages' changes: %w", err)
	}
	defer rows.Close()
	var out []incident.LiveChange
	for rows.Next() {
		var c incident.LiveChange
		if err := rows.Scan(&c.Seq, &c.IncidentID); err != nil {
			return nil, 0, fmt.Errorf("read the pages' changes: %w", err)
		}
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, 0, fmt.Errorf("read the pages' changes: %w", err)
	}
	return out, next, nil
}
