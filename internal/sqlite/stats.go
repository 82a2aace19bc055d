package sqlite

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/nephoran/incidentbot/internal/incident"
	"github.com/nephoran/incidentbot/internal/storerow"
)

// statsPeriod selects the incidents of the period, through the index on declared_at. The
// stored times are fixed-width UTC text, so text order is time order.
const statsPeriod = `SELECT id FROM incidents WHERE declared_at >= ?`

// StatsFacts returns what the KPIs need of the incidents declared at or after since, in
// four queries (incidents, services, runs with their unfinished steps, follow-ups) however
// many incidents there are, reading no timeline.
func (t *Tx) StatsFacts(since time.Time) ([]incident.StatsFact, error) {
	return t.statsFacts(statsPeriod, storerow.FormatTime(since))
}

// statsFacts reads the facts of the incidents whose IDs the query incidents selects, with
// from as its one parameter.
func (t *Tx) statsFacts(incidents string, from any) ([]incident.StatsFact, error) {
	return storerow.ReadStatsFacts(t.each, dialect, incidents, from)
}

// StatsFactsOf returns the facts of the incidents with these IDs that exist, by ID.
func (t *Tx) StatsFactsOf(ids []int64) ([]incident.StatsFact, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	return t.statsFacts(statsIDs, statsIDsArg(ids))
}

// statsIDs selects the incidents whose IDs are in a JSON array, the one parameter.
const statsIDs = `SELECT value FROM json_each(?)`

func statsIDsArg(ids []int64) any {
	b, _ := json.Marshal(ids)
	return string(b)
}

// StatsChanges returns the incidents whose facts changed after position from (the
// stats_changes row seen last: SQLite's one writer numbers changes in commit order, so
// every change up to it was seen), and the last row's position.
func (t *Tx) StatsChanges(from int64) ([]int64, int64, error) {
	var next int64
	if err := t.tx.QueryRowContext(t.ctx, `SELECT coalesce(max(seq), 0) FROM stats_changes`).Scan(&next); err != nil {
		return nil, 0, fmt.Errorf("read the KPIs' changes: %w", err)
	}
	if from == 0 || next <= from {
		return nil, next, nil
	}
	ids, err := t.ids(`SELECT DISTINCT incident_id FROM stats_changes WHERE seq > ? AND seq <= ? AND incident_id > 0 ORDER BY incident_id`, from, next)
	if err != nil {
		return nil, 0, fmt.Errorf("read the KPIs' changes: %w", err)
	}
	return ids, next, nil
}
