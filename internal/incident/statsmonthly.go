package incident

import (
	"context"
	"fmt"
	"slices"
	"time"
)

// MonthKPIs are the KPIs of the incidents declared in one calendar month (UTC), real
// incidents and drills apart. A month without incidents of a kind has Count 0 there, and
// its means and rates are not known (a chart leaves a gap). They leave out the follow-ups'
// implementation rate (FollowupsOnTime and FollowupsDue are zero), which depends on when
// it is read rather than on the incidents: Stats has it.
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
	c := &s.stats
	c.mu.Lock()
	defer c.mu.Unlock()
	err := s.store.View(ctx, func(tx Tx) error {
		_, err := c.update(tx, s.settings.Catalog, now.Add(time.Hour), now) // up to date; the months read c.facts below
		return err
	})
	if err != nil {
		c.facts = nil // what was read may be half brought up to date: read it all next time
		return nil, fmt.Errorf("monthly stats: %w", err)
	}
	if m := &c.monthly; m.gen == c.gen && m.first.Equal(first) && len(m.months) == months {
		return slices.Clone(m.months), nil // nothing changed since they were computed
	}
	for _, e := range c.facts {
		d := e.DeclaredAt.UTC()
		i, ok := index[time.Date(d.Year(), d.Month(), 1, 0, 0, 0, 0, time.UTC)]
		if !ok { // before the first month, or after now (a clock set back): in no month shown
			continue
		}
		k := &out[i].Real
		if e.Drill {
			k = &out[i].Drill
		}
		k.add(e, now)
	}
	for i := range out {
		for _, k := range []*KPIs{&out[i].Real, &out[i].Drill} {
			k.finish()
			k.FollowupsOnTime, k.FollowupsDue = 0, 0 // they depend on the time of the read: see Stats
		}
	}
	c.monthly = monthlyMemo{gen: c.gen, first: first, months: slices.Clone(out)}
	return out, nil
}

// monthlyMemo keeps the last months MonthlyStats computed, with the generation of the
// facts they were computed from: nothing else of the call changes them (the follow-ups due,
// which depend on its time, are left out).
type monthlyMemo struct {
	gen    uint64
	first  time.Time
	months []MonthKPIs
}
