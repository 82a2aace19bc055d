package postgres

import (
	"fmt"

	"github.com/nephoran/incidentbot/internal/incident"
	"github.com/nephoran/incidentbot/internal/storerow"
)

// dollar is PostgreSQL's placeholder.
func dollar(n int) string { return fmt.Sprintf("$%d", n) }

// EventsIn returns the incident's events in window w, in sequence order, reading only those.
func (t *Tx) EventsIn(incidentID int64, w incident.EventWindow) ([]incident.TimelineEvent, error) {
	if w.Limit <= 0 {
		return nil, nil
	}
	rows, err := t.tx.Query(t.ctx, storerow.WindowQuery(w, dollar), incidentID, w.Limit, max(w.Offset, 0))
	if err != nil {
		return nil, fmt.Errorf("read events: %w", err)
	}
	defer rows.Close()
	evs := make([]incident.TimelineEvent, 0, min(w.Limit, 256))
	for rows.Next() {
		e, err := storerow.ScanEvent(rows)
		if err != nil {
			return nil, err
		}
		evs = append(evs, *e)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read events: %w", err)
	}
	if w.Newest {
		storerow.ReverseEvents(evs)
	}
	return evs, nil
}

// CountEvents counts the incident's events, with or without the bot's housekeeping.
func (t *Tx) CountEvents(incidentID int64, housekeeping bool) (int, error) {
	var n int
	if err := t.tx.QueryRow(t.ctx, storerow.CountQuery(housekeeping, dollar), incidentID).Scan(&n); err != nil {
		return 0, fmt.Errorf("count events: %w", err)
	}
	return n, nil
}
