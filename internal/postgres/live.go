package postgres

import (
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/nephoran/incidentbot/internal/incident"
)

// LiveChanges returns the changes made in transactions at or after position from, and the
// position of this read: the oldest transaction still running when its snapshot was taken
// (as StatsChanges). A change of a transaction older than the position was visible to this
// read, so it was returned by this read or an earlier one; a later read leaves it out.
func (t *Tx) LiveChanges(from int64) ([]incident.LiveChange, int64, error) {
	var next int64
	if err := t.tx.QueryRow(t.ctx, `SELECT pg_snapshot_xmin(pg_current_snapshot())::text::bigint`).Scan(&next); err != nil {
		return nil, 0, fmt.Errorf("read the pages' changes: %w", err)
	}
	if from == 0 {
		return nil, next, nil
	}
	rows, err := t.tx.Query(t.ctx, `SELECT seq, incident_id FROM live_changes WHERE xid >= $1 ORDER BY seq`, from)
	if err != nil {
		return nil, 0, fmt.Errorf("read the pages' changes: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (c incident.LiveChange, err error) {
		err = r.Scan(&c.Seq, &c.IncidentID)
		return c, err
	})
	if err != nil {
		return nil, 0, fmt.Errorf("read the pages' changes: %w", err)
	}
	return out, next, nil
}
