package incident

import (
	"context"
	"fmt"
	"slices"
	"strconv"
)

// The bounded reads of the pages (the dashboard, the status page, an incident's page and
// App Home): each reads a page of what it shows through an index, however long the
// history is.

// ListTx is what a transaction can read a bounded page at a time.
type ListTx interface {
	// IncidentRange returns up to r.Limit incidents (every one when 0) of r's kind with
	// IDs strictly between r.After and r.Before (0: no bound), newest first, or oldest
	// first when r.Ascending.
	IncidentRange(r IncidentRange) ([]Incident, error)
	// EventRange returns up to r.Limit events of r.IncidentID with seq strictly between
	// r.After and r.Before (0: no bound), in seq order, or newest first when r.Descending.
	EventRange(r EventRange) ([]TimelineEvent, error)
	// LatestEventsOfKind returns the latest limit events of kind in the timeline of each
	// of the incidents, in seq order, by incident ID (none: no entry).
	LatestEventsOfKind(incidentIDs []int64, kind EventKind, limit int) (map[int64][]TimelineEvent, error)
	// CountOpen counts the open incidents, private ones included.
	CountOpen() (int, error)
}

// IncidentRange selects incidents for ListTx.IncidentRange.
type IncidentRange struct {
	Resolved bool // resolved incidents; false: open ones
	Public   bool // leave out private incidents
	// Holder, when set, keeps the incidents whose commander it is or in which it holds a
	// role (a superset of those where it holds a crisis role).
	Holder        string
	After, Before int64 // IDs strictly between these; 0: no bound
	Limit         int   // at most this many; 0: all
	Ascending     bool  // oldest first; false: newest first
}

// EventRange selects the events of one incident for ListTx.EventRange.
type EventRange struct {
	IncidentID    int64
	After, Before int // seqs strictly between these; 0: no bound
	Limit         int // at most this many; 0: all
	Descending    bool
}

// IncidentList selects a page of the incident list: the open incidents, the newest first,
// then the resolved ones, the newest first. After and Before are cursors from an earlier
// page's Next and Prev; with neither, the first page.
type IncidentList struct {
	After, Before string
	Limit         int  // incidents a page; at most MaxListLimit (the default when 0)
	Public        bool // leave out private incidents
}

// MaxListLimit bounds the incidents of one page of the list.
const MaxListLimit = 100

// IncidentPage is one page of the incident list. Prev and Next are the cursors of the
// pages before and after it, "" when there is none.
type IncidentPage struct {
	Incidents  []Incident
	Prev, Next string
}

// listPos is a place in the incident list: open incidents (rank 0) come before resolved
// ones (rank 1), each by descending ID.
type listPos struct {
	resolved bool
	id       int64
}

// String is the position as a cursor: "o42" (open incident 42) or "r17".
func (p listPos) String() string {
	if p.resolved {
		return "r" + strconv.FormatInt(p.id, 10)
	}
	return "o" + strconv.FormatInt(p.id, 10)
}

// parseListPos reads a cursor. Errors: EINVALID.
func parseListPos(s string) (listPos, error) {
	if len(s) > 1 && (s[0] == 'o' || s[0] == 'r') {
		if id, err := strconv.ParseInt(s[1:], 10, 64); err == nil && id > 0 {
			return listPos{resolved: s[0] == 'r', id: id}, nil
		}
	}
	return listPos{}, Errorf(EINVALID, "%s is not a place in the incident list.", Quote(s))
}

func posOf(inc *Incident) listPos { return listPos{resolved: !inc.Open(), id: inc.ID} }

// ListIncidents returns a page of the incident list, reading only that page (and one
// incident more, to know whether there is a next page). Errors: EINVALID (a bad cursor).
func (s *Service) ListIncidents(ctx context.Context, q IncidentList) (*IncidentPage, error) {
	if q.Limit <= 0 || q.Limit > MaxListLimit {
		q.Limit = MaxListLimit
	}
	page := &IncidentPage{}
	err := s.store.View(ctx, func(tx Tx) error {
		if q.Before != "" {
			at, err := parseListPos(q.Before)
			if err != nil {
				return err
			}
			incs, err := listBackward(tx, at, q.Limit+1, q.Public)
			if err != nil {
				return err
			}
			if len(incs) > q.Limit { // there is a page before this one
				incs = incs[1:]
				page.Incidents, page.Prev, page.Next = incs, posOf(&incs[0]).String(), posOf(&incs[len(incs)-1]).String()
				return nil
			}
			// Near the top: the first page, full.
		}
		from := listPos{}
		if q.After != "" && q.Before == "" {
			var err error
			if from, err = parseListPos(q.After); err != nil {
				return err
			}
		}
		incs, err := listForward(tx, from, q.After != "" && q.Before == "", q.Limit+1, q.Public)
		if err != nil {
			return err
		}
		if len(incs) > q.Limit {
			incs = incs[:q.Limit]
			page.Next = posOf(&incs[len(incs)-1]).String()
		}
		if q.After != "" && q.Before == "" && len(incs) > 0 {
			page.Prev = posOf(&incs[0]).String()
		}
		page.Incidents = incs
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("list incidents: %w", err)
	}
	return page, nil
}

// listForward reads up to n incidents after from in list order (from the top when started
// is false).
func listForward(tx Tx, from listPos, started bool, n int, public bool) ([]Incident, error) {
	var out []Incident
	if !started || !from.resolved {
		r := IncidentRange{Limit: n, Public: public}
		if started {
			r.Before = from.id
		}
		open, err := tx.IncidentRange(r)
		if err != nil {
			return nil, err
		}
		out = open
		started = false // the resolved ones from their top
	}
	if len(out) < n {
		r := IncidentRange{Resolved: true, Limit: n - len(out), Public: public}
		if started {
			r.Before = from.id
		}
		resolved, err := tx.IncidentRange(r)
		if err != nil {
			return nil, err
		}
		out = append(out, resolved...)
	}
	return out, nil
}

// listBackward reads up to n incidents before at in list order, and returns them in list
// order.
func listBackward(tx Tx, at listPos, n int, public bool) ([]Incident, error) {
	var rev []Incident // nearest first
	if at.resolved {
		resolved, err := tx.IncidentRange(IncidentRange{Resolved: true, After: at.id, Limit: n, Ascending: true, Public: public})
		if err != nil {
			return nil, err
		}
		rev = resolved
	}
	if len(rev) < n {
		r := IncidentRange{Limit: n - len(rev), Ascending: true, Public: public}
		if !at.resolved {
			r.After = at.id
		}
		open, err := tx.IncidentRange(r)
		if err != nil {
			return nil, err
		}
		rev = append(rev, open...)
	}
	slices.Reverse(rev)
	return rev, nil
}

// OpenIncidents returns the open incidents, the newest first, at most limit of them (all
// when 0), reading only those.
func (s *Service) OpenIncidents(ctx context.Context, limit int) ([]Incident, error) {
	var incs []Incident
	err := s.store.View(ctx, func(tx Tx) (err error) {
		incs, err = tx.IncidentRange(IncidentRange{Limit: limit})
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("open incidents: %w", err)
	}
	return incs, nil
}

// HomeIncidents returns the open incidents a user's App Home lists: up to limit of those
// the user holds a role in, then the other open ones, the newest first, up to limit in all
// besides the user's own; and how many incidents are open.
func (s *Service) HomeIncidents(ctx context.Context, user string, limit int) (incs []Incident, open int, err error) {
	err = s.store.View(ctx, func(tx Tx) error {
		if user != "" {
			if incs, err = tx.IncidentRange(IncidentRange{Holder: user, Limit: limit}); err != nil {
				return err
			}
		}
		others, err := tx.IncidentRange(IncidentRange{Limit: limit + len(incs)})
		if err != nil {
			return err
		}
		mine := map[int64]bool{}
		for _, inc := range incs {
			mine[inc.ID] = true
		}
		for _, inc := range others {
			if !mine[inc.ID] {
				incs = append(incs, inc)
			}
		}
		open, err = countOpen(tx)
		return err
	})
	if err != nil {
		return nil, 0, fmt.Errorf("home incidents: %w", err)
	}
	return incs, open, nil
}

func countOpen(tx Tx) (int, error) { return tx.CountOpen() }

// CountOpen counts the open incidents, private ones included.
func (s *Service) CountOpen(ctx context.Context) (int, error) {
	var n int
	err := s.store.View(ctx, func(tx Tx) (err error) { n, err = countOpen(tx); return err })
	return n, err
}

// TimelineWindow selects a window of an incident's timeline: up to Limit events after
// seq After, or before seq Before; with neither, the first Limit.
type TimelineWindow struct {
	After, Before int
	Limit         int
}

// TimelinePage is a window of an incident's timeline, in seq order, and the number of
// events in the whole timeline.
type TimelinePage struct {
	Events []TimelineEvent
	Total  int
	// Earlier and Later are whether there are events before and after the window.
	Earlier, Later bool
}

// TimelineRange returns a window of the incident's timeline, reading only that window.
func (s *Service) TimelineRange(ctx context.Context, incidentID int64, w TimelineWindow) (*TimelinePage, error) {
	if w.Limit <= 0 {
		w.Limit = 200
	}
	page := &TimelinePage{}
	err := s.store.View(ctx, func(tx Tx) error {
		last, err := tx.LastEvent(incidentID)
		if err != nil || last == nil {
			return err
		}
		page.Total = last.Seq
		r := EventRange{IncidentID: incidentID, After: w.After, Limit: w.Limit}
		if w.Before > 0 {
			r = EventRange{IncidentID: incidentID, Before: w.Before, Limit: w.Limit, Descending: true}
		}
		evs, err := tx.EventRange(r)
		if err != nil {
			return err
		}
		if r.Descending {
			slices.Reverse(evs)
			if len(evs) < w.Limit && w.Before <= last.Seq { // near the start: the first window, full
				if evs, err = tx.EventRange(EventRange{IncidentID: incidentID, Limit: w.Limit}); err != nil {
					return err
				}
			}
		}
		page.Events = evs
		if len(evs) > 0 {
			page.Earlier, page.Later = evs[0].Seq > 1, evs[len(evs)-1].Seq < last.Seq
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("timeline of incident %d: %w", incidentID, err)
	}
	return page, nil
}

// LatestEvents returns the latest limit events of kind in the timelines of the
// incidents, in timeline order, by incident ID, in one read.
func (s *Service) LatestEvents(ctx context.Context, incidentIDs []int64, kind EventKind, limit int) (map[int64][]TimelineEvent, error) {
	var evs map[int64][]TimelineEvent
	err := s.store.View(ctx, func(tx Tx) (err error) { evs, err = tx.LatestEventsOfKind(incidentIDs, kind, limit); return err })
	if err != nil {
		return nil, fmt.Errorf("latest events: %w", err)
	}
	return evs, nil
}
