package incident

import "time"

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
			a, b := LaterOf(from, c.at), EarlierOf(to, end)
			if b.After(a) {
				out = append(out, OutageSpan{Service: svc, Severity: c.sev, From: a, To: b})
			}
		}
	}
	return out
}

// LaterOf is the later of a and b.
func LaterOf(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

// EarlierOf is the earlier of a and b.
func EarlierOf(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}
