package incident

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"time"
)

// StatusRead says what the status page reads: the outages since Since (at most Limit), and
// the latest Updates status updates of each open public incident and of the Past latest
// resolved outages.
type StatusRead struct {
	Since         time.Time
	Limit         int
	Past, Updates int
}

// StatusView is what the public status page shows.
type StatusView struct {
	// Open is every open incident, private ones and drills included: the page decides
	// what of each it shows.
	Open []Incident
	// Outages are the public incidents open at some time since Since, the newest first.
	// Truncated says there were more than Limit: the history is known only from the
	// declaration of the oldest one here.
	Outages   []Outage
	Truncated bool
	// Updates are the latest status updates (every audience: the page keeps the status
	// page's) of the open public incidents and of the Past latest resolved outages, by
	// incident ID, in seq order.
	Updates map[int64][]TimelineEvent
}

// historyMargin is how long before the start of the day the outages read afresh go back:
// more than a transaction that stamped a resolution before midnight can take to commit.
const historyMargin = 10 * time.Minute

// historyCache keeps the outages resolved before the start of today (UTC) since a day:
// resolved incidents do not change (neither their times nor their severity or services),
// so the history before today is read once a day. What happened since, and every open
// incident, is read at each load.
type historyCache struct {
	mu            sync.Mutex
	since, cutoff time.Time
	limit         int
	outages       []Outage // resolved before cutoff, the newest first
	truncated     bool
}

// before returns the outages resolved before cutoff since since (at most limit, and
// whether there were more), reading them when the cache holds another period or limit.
func (c *historyCache) before(ctx context.Context, store Store, since, cutoff time.Time, limit int) ([]Outage, bool, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.since.Equal(since) && c.cutoff.Equal(cutoff) && c.limit == limit && c.outages != nil {
		return c.outages, c.truncated, nil
	}
	var read []Outage
	if err := store.View(ctx, func(tx Tx) (err error) { read, err = tx.Outages(since, cutoff, limit+1); return err }); err != nil {
		return nil, false, err
	}
	truncated := len(read) > limit
	if truncated {
		read = read[:limit]
	}
	kept := make([]Outage, 0, len(read))
	for _, o := range read {
		if o.Status == StatusResolved && o.ResolvedAt.Before(cutoff) {
			kept = append(kept, o)
		}
	}
	c.since, c.cutoff, c.limit, c.outages, c.truncated = since, cutoff, limit, kept, truncated
	return kept, truncated, nil
}

// StatusPage reads what the public status page shows: the open incidents, the outages of
// the period and the latest updates of those it lists. The outages resolved before today
// (UTC) come from what the Service keeps (read once a day); the open incidents, the
// outages since (from shortly before midnight, so none is missed) and the updates are read
// in one transaction at each call.
func (s *Service) StatusPage(ctx context.Context, q StatusRead) (*StatusView, error) {
	v := &StatusView{}
	now := s.clock.Now()
	n := now.UTC()
	cutoff := time.Date(n.Year(), n.Month(), n.Day(), 0, 0, 0, 0, time.UTC)
	liveSince := cutoff.Add(-historyMargin)
	var kept []Outage
	if liveSince.After(q.Since) {
		var err error
		if kept, v.Truncated, err = s.history.before(ctx, s.store, q.Since, cutoff, q.Limit); err != nil {
			return nil, fmt.Errorf("status page: the history: %w", err)
		}
	} else {
		liveSince = q.Since
	}
	err := s.store.View(ctx, func(tx Tx) error {
		open, err := tx.IncidentRange(IncidentRange{})
		if err != nil {
			return err
		}
		live, err := tx.Outages(liveSince, now, q.Limit+1)
		if err != nil {
			return err
		}
		v.Outages = mergeOutages(live, kept)
		if len(v.Outages) > q.Limit || len(live) > q.Limit {
			v.Outages, v.Truncated = v.Outages[:min(q.Limit, len(v.Outages))], true
		}
		var ids []int64
		for i := range open {
			if !open[i].Private && !open[i].Drill {
				ids = append(ids, open[i].ID)
			}
		}
		past := 0
		for i := range v.Outages {
			if v.Outages[i].Status == StatusResolved && past < q.Past {
				ids = append(ids, v.Outages[i].ID)
				past++
			}
		}
		slices.Sort(ids)
		v.Open = open
		v.Updates, err = tx.LatestEventsOfKind(slices.Compact(ids), EventStatusUpdate, q.Updates)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("status page: %w", err)
	}
	return v, nil
}

// mergeOutages merges the outages read afresh with those kept (both the newest first),
// each once (the fresh one where both have it), the newest first.
func mergeOutages(live, kept []Outage) []Outage {
	out := make([]Outage, 0, len(live)+len(kept))
	seen := make(map[int64]bool, len(live))
	for _, o := range live {
		seen[o.ID] = true
		out = append(out, o)
	}
	for _, o := range kept {
		if !seen[o.ID] {
			out = append(out, o)
		}
	}
	slices.SortFunc(out, func(a, b Outage) int {
		switch {
		case a.ID > b.ID:
			return -1
		case a.ID < b.ID:
			return 1
		}
		return 0
	})
	return out
}
