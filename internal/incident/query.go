package incident

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"time"
)

// The Service's read side: what the surfaces (chat, web, CLI) read, each in one read
// transaction of the Service's own. Errors other than the codes named are EINTERNAL: the
// store failed.

// IncidentFilter selects incidents for FindIncidents. A nil or zero field selects
// everything; the fields that are set must all match.
type IncidentFilter struct {
	ID      *int64    // the incident's row ID
	Number  *int      // its number, as people know it (INC-42)
	Channel *string   // its channel
	Open    *bool     // open (true) or resolved (false) incidents only
	Since   time.Time // declared at or after Since; zero: any time

	// Limit keeps only the first Limit incidents, the newest first; 0: no limit.
	Limit int
	// ResolvedLimit keeps every open incident but only the latest ResolvedLimit resolved
	// ones: what is happening and what just ended, as a dashboard shows them. 0: no limit.
	ResolvedLimit int
}

// FindIncidents returns the incidents f selects, the newest first; none is no error.
func (s *Service) FindIncidents(ctx context.Context, f IncidentFilter) ([]Incident, error) {
	var out []Incident
	err := s.store.View(ctx, func(tx Tx) error {
		found, err := f.candidates(tx)
		if err != nil {
			return err
		}
		for i := range found {
			if f.match(&found[i]) {
				out = append(out, found[i])
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("find incidents: %w", err)
	}
	slices.SortFunc(out, func(a, b Incident) int { return cmp.Compare(b.ID, a.ID) }) // IDs grow with time
	if f.ResolvedLimit > 0 {
		resolved := 0
		out = slices.DeleteFunc(out, func(inc Incident) bool {
			if inc.Open() {
				return false
			}
			resolved++
			return resolved > f.ResolvedLimit
		})
	}
	if f.Limit > 0 && len(out) > f.Limit {
		out = out[:f.Limit]
	}
	return out, nil
}

// candidates reads a superset of the incidents f selects, as few as the store's lookups allow.
func (f IncidentFilter) candidates(tx Tx) ([]Incident, error) {
	one := func(inc *Incident, err error) ([]Incident, error) {
		switch {
		case ErrorCode(err) == ENOTFOUND:
			return nil, nil
		case err != nil:
			return nil, err
		}
		return []Incident{*inc}, nil
	}
	switch {
	case f.ID != nil:
		return one(tx.Incident(*f.ID))
	case f.Channel != nil:
		return one(tx.IncidentByChannel(*f.Channel))
	case f.Number != nil:
		return one(incidentByNumber(tx, *f.Number))
	case f.Open != nil && *f.Open:
		return tx.RecentIncidents(0) // every open incident and no resolved one
	case f.ResolvedLimit > 0:
		return tx.RecentIncidents(f.ResolvedLimit)
	case f.Open != nil && f.Limit > 0 && f.Since.IsZero():
		return tx.RecentIncidents(f.Limit) // the latest Limit resolved ones are among these
	}
	ids, err := tx.IncidentIDsSince(f.Since) // the zero time: every incident
	if err != nil {
		return nil, err
	}
	out := make([]Incident, 0, len(ids))
	for _, id := range ids {
		inc, err := tx.Incident(id)
		if err != nil {
			return nil, err
		}
		out = append(out, *inc)
	}
	return out, nil
}

func (f IncidentFilter) match(inc *Incident) bool {
	return (f.ID == nil || inc.ID == *f.ID) && (f.Number == nil || inc.Number == *f.Number) &&
		(f.Channel == nil || inc.ChannelID == *f.Channel) && (f.Open == nil || inc.Open() == *f.Open) &&
		!inc.DeclaredAt.Before(f.Since)
}

// FindIncidentByID returns the incident with row ID id. Errors: ENOTFOUND.
func (s *Service) FindIncidentByID(ctx context.Context, id int64) (*Incident, error) {
	var inc *Incident
	err := s.store.View(ctx, func(tx Tx) (err error) { inc, err = tx.Incident(id); return err })
	return inc, err
}

// FindIncidentByNumber returns the incident numbered n (INC-n). Errors: ENOTFOUND.
func (s *Service) FindIncidentByNumber(ctx context.Context, n int) (*Incident, error) {
	var inc *Incident
	err := s.store.View(ctx, func(tx Tx) (err error) { inc, err = incidentByNumber(tx, n); return err })
	return inc, err
}

// incidentByNumber finds the incident numbered n, through the stores' index on numbers.
// Errors: ENOTFOUND.
func incidentByNumber(tx Tx, n int) (*Incident, error) {
	inc, err := tx.IncidentByNumber(n)
	if ErrorCode(err) == ENOTFOUND {
		return nil, Errorf(ENOTFOUND, "There is no incident INC-%d.", n)
	}
	return inc, err
}

// EventFilter selects timeline events for Events.
type EventFilter struct {
	IncidentID int64       // required: whose timeline
	Kinds      []EventKind // only events of these kinds; none: every kind
}

// Events returns the events f selects, in the timeline's order. Errors: EINVALID (no
// incident named).
func (s *Service) Events(ctx context.Context, f EventFilter) ([]TimelineEvent, error) {
	if f.IncidentID == 0 {
		return nil, Errorf(EINVALID, "Name the incident whose events to read.")
	}
	var evs []TimelineEvent
	if err := s.store.View(ctx, func(tx Tx) (err error) { evs, err = tx.Events(f.IncidentID); return err }); err != nil {
		return nil, fmt.Errorf("events of incident %d: %w", f.IncidentID, err)
	}
	if len(f.Kinds) > 0 {
		evs = slices.DeleteFunc(evs, func(e TimelineEvent) bool { return !slices.Contains(f.Kinds, e.Kind) })
	}
	return evs, nil
}

// MarkSeen records key (a Slack event or envelope ID, say) as seen now and reports whether
// it was new: how the surfaces drop the redeliveries and replays of what they already did.
func (s *Service) MarkSeen(ctx context.Context, key string) (fresh bool, err error) {
	err = s.store.Update(ctx, func(tx Tx) (err error) { fresh, err = tx.MarkSeen(key, s.clock.Now()); return err })
	return fresh, err
}

// errLookOnly rolls back the transaction of SeenBefore.
var errLookOnly = errors.New("looking only")

// SeenBefore reports whether key was marked seen, without marking it: the mark is made in
// a transaction that is then rolled back.
func (s *Service) SeenBefore(ctx context.Context, key string) (bool, error) {
	var fresh bool
	err := s.store.Update(ctx, func(tx Tx) (err error) {
		if fresh, err = tx.MarkSeen(key, s.clock.Now()); err != nil {
			return err
		}
		return errLookOnly
	})
	if !errors.Is(err, errLookOnly) {
		return false, err
	}
	return !fresh, nil
}

// Now is the Service's time: what its use cases stamp events with and measure deadlines
// against (a fake clock's in tests).
func (s *Service) Now() time.Time { return s.clock.Now() }

// Catalog returns a copy of the services incidents can affect.
func (s *Service) Catalog() Catalog { return s.settings.Catalog.clone() }

// Settings returns a copy of the Service's settings: changing it changes nothing here.
func (s *Service) Settings() Settings { return s.settings.clone() }

// clone copies the settings and the maps and lists in them.
func (st Settings) clone() Settings {
	st.Catalog = st.Catalog.clone()
	st.Paging.Targets = maps.Clone(st.Paging.Targets)
	st.Paging.BySeverity = cloneLists(st.Paging.BySeverity)
	st.PagerSeverity.Priorities = maps.Clone(st.PagerSeverity.Priorities)
	st.PagerSeverity.Urgencies = maps.Clone(st.PagerSeverity.Urgencies)
	st.ApproverGroups = cloneLists(st.ApproverGroups)
	return st
}

func (c Catalog) clone() Catalog {
	if c == nil {
		return nil
	}
	out := make(Catalog, len(c))
	for name, info := range c {
		info.HourlyImpact = maps.Clone(info.HourlyImpact)
		out[name] = info
	}
	return out
}

func cloneLists[K comparable, V any](m map[K][]V) map[K][]V {
	if m == nil {
		return nil
	}
	out := make(map[K][]V, len(m))
	for k, v := range m {
		out[k] = slices.Clone(v)
	}
	return out
}
