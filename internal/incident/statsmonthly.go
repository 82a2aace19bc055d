package incident

import (
	"context"
	"fmt"
	"time"
)

// MonthKPIs are the KPIs of the incidents declared in one calendar month (UTC), real
// incidents and drills apart. A month without incidents of a kind has Count 0 there, and
// its means and rates are not known (a chart leaves a gap).
type MonthKPIs struct {
	Month       time.Time // the first instant of the month, UTC
	Real, Drill KPIs
}

// MonthlyStats returns the KPIs of the incidents declared in each of the last months
// calendar months (UTC), the oldest first and the current one last. It reads the facts the
// Service keeps for Stats, bringing them up to date as Stats does, so it costs no pass over
// the history. Each incident counts in the month it was declared in; private ones count as
// they do in Stats' overall KPIs.
func (s *Service) MonthlyStats(ctx context.Context, months int) ([]MonthKPIs, error) {
	if months < 1 {
		months = 1
	}
	now := s.clock.Now().UTC()
	first := time.Date(now.Year(), now.Month()-time.Month(months-1), 1, 0, 0, 0, 0, time.UTC)
	out := make([]MonthKPIs, months)
	index := map[time.Time]int{}
	for i := range out {
		out[i].Month = first.AddDate(0, i, 0)
		index[out[i].Month] = i
	}
	s.stats.mu.Lock()
	defer s.stats.mu.Unlock()
	var entries []*statsEntry
	err := s.store.View(ctx, func(tx Tx) (err error) {
		entries, err = s.stats.update(tx, s.settings.Catalog, first, now)
		return err
	})
	if err != nil {
		s.stats.facts = nil // what was read may be half brought up to date: read it all next time
		return nil, fmt.Errorf("monthly stats: %w", err)
	}
	for _, e := range entries {
		d := e.DeclaredAt.UTC()
		i, ok := index[time.Date(d.Year(), d.Month(), 1, 0, 0, 0, 0, time.UTC)]
		if !ok { // declared after now (a clock set back): in no month shown
			continue
		}
		k := &out[i].Real
		if e.Drill {
			k = &out[i].Drill
		}
		k.add(e, now)
	}
	for i := range out {
		out[i].Real.finish()
		out[i].Drill.finish()
	}
	return out, nil
}
