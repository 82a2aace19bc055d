package postgres

import (
	"time"

	"github.com/nephoran/incidentbot/internal/incident"
	"github.com/nephoran/incidentbot/internal/storerow"
)

// Outages returns the public incidents open at some time at or after since and declared
// at or before until, the newest first, with their services and changes, in three queries
// per storerow.IDChunk of them, through the index on (status, resolved_at) in the "C"
// collation (migration 0011), where text order is time order.
func (t *Tx) Outages(since, until time.Time, limit int) ([]incident.Outage, error) {
	return storerow.ReadOutages(t.each, dialect, `(resolved_at COLLATE "C")`, since, until, limit)
}
