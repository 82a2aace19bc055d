package sqlite

import (
	"fmt"

	"github.com/nephoran/incidentbot/internal/incident"
	"github.com/nephoran/incidentbot/internal/storerow"
)

// EventsIn returns the incident's events in window w, in sequence order, reading only those.
func (t *Tx) EventsIn(incidentID int64, w incident.EventWindow) ([]incident.TimelineEvent, error) {
	return storerow.ReadEventWindow(t.each, dialect, incidentID, w)
}

// CountEvents counts the incident's events, with or without the bot's housekeeping.
func (t *Tx) CountEvents(incidentID int64, housekeeping bool) (int, error) {
	var n int
	if err := t.tx.QueryRowContext(t.ctx, storerow.CountQuery(housekeeping, dialect.Param), incidentID).Scan(&n); err != nil {
		return 0, fmt.Errorf("count events: %w", err)
	}
	return n, nil
}
