package incident

import (
	"context"
	"fmt"
	"slices"
	"time"
)

// Outage is what the public status page's history needs of one public incident (neither
// private nor a drill): when it was declared, mitigated and resolved, its severity and its
// services now, and how either changed over its life. It has no title or text: the status
// page shows only what an incident did to its services, and the updates posted for it.
type Outage struct {
	ID                                  int64
	Number                              int
	Severity                            Severity
	Status                              Status
	Services                            []string // in the order they were added
	DeclaredAt, MitigatedAt, ResolvedAt time.Time
	// Changes are its severity changes and service additions (EventSeverityChanged and
	// EventServiceAdded), in seq order.
	Changes []TimelineEvent
}

// StatusTx reads the status page's history.
type StatusTx interface {
	// Outages returns the public incidents (neither private nor drills) open at some time
	// at or after since and declared at or before until (the open ones, and those resolved at or
	// after since), the newest first, at most limit of them (limit > 0), each with its
	// services and its Changes. It reads through indexes on the open incidents and on the
	// resolution times, in a bounded number of queries however long the history is.
	Outages(since, until time.Time, limit int) ([]Outage, error)
}

// OutageSpan is a period in which an outage affected one service at one severity.
type OutageSpan struct {
	Service  string
	Severity Severity
	From, To time.Time
}

// Spans returns the periods in which the outage affected each of its services, at each
// severity it had: from the service's addition (its declaration for a service it was
// declared with) to the resolution, or to now while it is open. The severity before the
// first change is that change's From; severity changes recorded by releases before typed
// event data (no From) are not known and leave the severity as it is now.
func (o *Outage) Spans(now time.Time) []OutageSpan {
	end := now
	if !o.ResolvedAt.IsZero() {
		end = o.ResolvedAt
	}
	type change struct {
		at  time.Time
		sev Severity
	}
	var sevs []change // the severity from each time on
	added := map[string]time.Time{}
	for _, e := range o.Changes {
		switch {
		case e.Kind == EventSeverityChanged && e.Data.Severity != "" && e.Data.From != "":
			if len(sevs) == 0 {
				sevs = append(sevs, change{o.DeclaredAt, e.Data.From})
			}
			sevs = append(sevs, change{e.At, e.Data.Severity})
		case e.Kind == EventServiceAdded && e.Data.Service != "":
			if _, ok := added[e.Data.Service]; !ok {
				added[e.Data.Service] = e.At
			}
		}
	}
	if len(sevs) == 0 {
		sevs = []change{{o.DeclaredAt, o.Severity}}
	}
	var out []OutageSpan
	for _, svc := range o.Services {
		from, ok := added[svc]
		if !ok || from.Before(o.DeclaredAt) {
			from = o.DeclaredAt
		}
		for i, c := range sevs {
			to := end
			if i+1 < len(sevs) {
				to = sevs[i+1].at
			}
			a, b := maxTime(from, c.at), minTime(to, end)
			if b.After(a) {
				out = append(out, OutageSpan{Service: svc, Severity: c.sev, From: a, To: b})
			}
		}
	}
	return out
}

func maxTime(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

func minTime(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}

// StatusRead says what the status page reads: the outages since Since (at most Limit), and
// the latest Updates status updates of each open public incident and of the Past latest
// resolved outages.
type StatusRead struct {
	Since         time.Time
	Limit         int
	Past, Updates int
}

// StatusView is what the public status page shows, read in one transaction.
type StatusView struct {
	// Open is every open incident, private ones and drills included: the page decides
	// what of each it shows.
	Open []Incident
	// Outages are the public incidents open at some time since Since, the newest first.
	// Truncated says there were more than Limit: the history is known only from the
	// declaration of the oldest one read.
	Outages   []Outage
	Truncated bool
	// Updates are the latest status updates (every audience: the page keeps the status
	// page's) of the open public incidents and of the Past latest resolved outages, by
	// incident ID, in seq order.
	Updates map[int64][]TimelineEvent
}

// StatusPage reads what the public status page shows, in one read transaction: the open
// incidents, the outages of the period, and the latest updates of those it lists.
func (s *Service) StatusPage(ctx context.Context, q StatusRead) (*StatusView, error) {
	v := &StatusView{}
	until := s.clock.Now()
	err := s.store.View(ctx, func(tx Tx) error {
		open, err := tx.IncidentRange(IncidentRange{})
		if err != nil {
			return err
		}
		outages, err := tx.Outages(q.Since, until, q.Limit+1)
		if err != nil {
			return err
		}
		if len(outages) > q.Limit {
			outages, v.Truncated = outages[:q.Limit], true
		}
		var ids []int64
		for i := range open {
			if !open[i].Private && !open[i].Drill {
				ids = append(ids, open[i].ID)
			}
		}
		past := 0
		for i := range outages {
			if outages[i].Status == StatusResolved && past < q.Past {
				ids = append(ids, outages[i].ID)
				past++
			}
		}
		slices.Sort(ids)
		updates, err := tx.LatestEventsOfKind(slices.Compact(ids), EventStatusUpdate, q.Updates)
		if err != nil {
			return err
		}
		v.Open, v.Outages, v.Updates = open, outages, updates
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("status page: %w", err)
	}
	return v, nil
}
