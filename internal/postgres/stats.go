package postgres

import (
	"fmt"
	"time"

	"github.com/nephoran/incidentbot/internal/incident"
	"github.com/nephoran/incidentbot/internal/storerow"
)

// statsPeriod selects the incidents of the period, through the index on declared_at (text
// in the "C" collation: text order is time order).
const statsPeriod = `SELECT id FROM incidents WHERE declared_at >= $1`

// StatsFacts returns what the KPIs need of the incidents declared at or after since, in
// four queries (incidents, services, runs with their unfinished steps, follow-ups) however
// many incidents there are, reading no timeline. A read transaction is one snapshot
// (repeatable read), so the four agree.
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

// statsIDs selects the incidents whose IDs are in an array, the one parameter.
const statsIDs = `SELECT unnest($1::bigint[])`

func statsIDsArg(ids []int64) any { return ids }

// StatsChanges returns the incidents whose facts changed in transactions at or after
// position from, and the position of this read: the oldest transaction still running when
// its snapshot was taken. Transactions commit in any order, but every one older than that
// had committed or rolled back by then, so its changes were all visible to this read.
func (t *Tx) StatsChanges(from int64) ([]int64, int64, error) {
	var next int64
	if err := t.tx.QueryRow(t.ctx, `SELECT pg_snapshot_xmin(pg_current_snapshot())::text::bigint`).Scan(&next); err != nil {
		return nil, 0, fmt.Errorf("read the KPIs' changes: %w", err)
	}
	if from == 0 {
		return nil, next, nil
	}
	ids, err := t.ids(`SELECT DISTINCT incident_id FROM stats_changes WHERE xid >= $1 ORDER BY incident_id`, from)
	if err != nil {
		return nil, 0, fmt.Errorf("read the KPIs' changes: %w", err)
	}
	return ids, next, nil
}
