package postgres

import (
	"fmt"
	"strconv"

	"github.com/nephoran/incidentbot/internal/incident"
	"github.com/nephoran/incidentbot/internal/storerow"
)

// dialect is PostgreSQL's, for the queries storerow builds.
var dialect = storerow.Dialect{Param: func(n int) string { return "$" + strconv.Itoa(n) }, ServiceOrder: "pos", IDCast: "::bigint"}

// each runs query and calls fn with each row, reading them to the end before the caller
// issues further queries on the transaction.
func (t *Tx) each(query string, args []any, fn func(storerow.Scanner) error) error {
	rows, err := t.tx.Query(t.ctx, query, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		if err := fn(rows); err != nil {
			return err
		}
	}
	return rows.Err()
}

// IncidentRange returns a range of the open or the resolved incidents by ID, with their
// roles and services, in three queries. In a write transaction it locks the set of
// incidents, as RecentIncidents does.
func (t *Tx) IncidentRange(r incident.IncidentRange) ([]incident.Incident, error) {
	if err := t.lockIncidentSet(); err != nil {
		return nil, err
	}
	return storerow.ReadIncidentRange(t.each, dialect, r)
}

// EventRange returns a range of an incident's events by seq.
func (t *Tx) EventRange(r incident.EventRange) ([]incident.TimelineEvent, error) {
	q, args := storerow.EventRangeQuery(dialect, r)
	return t.events(q, args)
}

// LatestEventsOfKind returns the latest limit events of kind of each of the incidents, in
// one query for up to storerow.IDChunk of them.
func (t *Tx) LatestEventsOfKind(incidentIDs []int64, kind incident.EventKind, limit int) (map[int64][]incident.TimelineEvent, error) {
	return storerow.LatestEventsOfKind(dialect, t.each, incidentIDs, kind, limit)
}

func (t *Tx) events(q string, args []any) ([]incident.TimelineEvent, error) {
	return storerow.ReadEvents(t.each, q, args)
}

// CountOpen counts the open incidents.
func (t *Tx) CountOpen() (int, error) {
	var n int
	if err := t.tx.QueryRow(t.ctx, storerow.CountOpenQuery).Scan(&n); err != nil {
		return 0, fmt.Errorf("count the open incidents: %w", err)
	}
	return n, nil
}
