package storetest

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/nephoran/incidentbot/internal/incident"
)

func listingCases() []testCase {
	return []testCase{
		{"IncidentRangeByStatusBoundsAndOrder", incidentRangeByStatusBoundsAndOrder},
		{"IncidentRangeOfAHolder", incidentRangeOfAHolder},
		{"ListReachesEveryIncidentOnceEachWay", listReachesEveryIncidentOnceEachWay},
		{"ListRefusesABadCursor", listRefusesABadCursor},
		{"EventRangeAndLatestOfKind", eventRangeAndLatestOfKind},
	}
}

// fixedClock is a clock that stays at one time.
type fixedClock time.Time

func (c fixedClock) Now() time.Time { return time.Time(c) }

// listed makes n incidents: every third one resolved, every fifth private, each with a
// role and two services; it returns them by ID.
func listed(t *testing.T, s incident.Store, n int) map[int64]*incident.Incident {
	t.Helper()
	out := map[int64]*incident.Incident{}
	for i := 1; i <= n; i++ {
		inc := minimalIncident(i)
		inc.Services = []string{"intent-processing", fmt.Sprintf("svc-%d", i)}
		inc.Roles = map[incident.Role]incident.RoleState{incident.RoleTechnicalLead: {Holder: fmt.Sprintf("U0TL%d", i%4)}}
		if i%3 == 0 {
			inc.Status, inc.ResolvedAt = incident.StatusResolved, inc.DeclaredAt.Add(time.Hour)
		}
		inc.Private = i%5 == 0
		out[createIncident(t, s, inc).ID] = inc
	}
	return out
}

// ids are the IDs of incs, in their order.
func ids(incs []incident.Incident) []int64 {
	out := make([]int64, len(incs))
	for i := range incs {
		out[i] = incs[i].ID
	}
	return out
}

// IncidentRange reads the open or the resolved incidents between two IDs, newest or
// oldest first, up to a limit, with or without the private ones, each whole (roles and
// services as Incident reads them); CountOpen counts the open ones.
func incidentRangeByStatusBoundsAndOrder(t *testing.T, s incident.Store) {
	all := listed(t, s, 20)
	var open, resolved []int64 // ascending
	for id := int64(1); id <= 40; id++ {
		if inc, ok := all[id]; ok && inc.Open() {
			open = append(open, id)
		} else if ok {
			resolved = append(resolved, id)
		}
	}
	desc := func(xs []int64) []int64 { c := slices.Clone(xs); slices.Reverse(c); return c }
	between := func(xs []int64, after, before int64) []int64 {
		var out []int64
		for _, x := range xs {
			if x > after && (before == 0 || x < before) {
				out = append(out, x)
			}
		}
		return out
	}
	public := func(xs []int64) []int64 {
		return slices.DeleteFunc(slices.Clone(xs), func(id int64) bool { return all[id].Private })
	}
	var count int
	view(t, s, func(tx incident.Tx) (err error) { count, err = tx.CountOpen(); return err })
	if count != len(open) {
		t.Errorf("CountOpen: %d, want %d", count, len(open))
	}
	mid := open[len(open)/2]
	for _, c := range []struct {
		name string
		r    incident.IncidentRange
		want []int64
	}{
		{"open", incident.IncidentRange{}, desc(open)},
		{"resolved", incident.IncidentRange{Resolved: true}, desc(resolved)},
		{"open, limit 3", incident.IncidentRange{Limit: 3}, desc(open)[:3]},
		{"open before mid", incident.IncidentRange{Before: mid}, desc(between(open, 0, mid))},
		{"open after mid, oldest first, limit 2", incident.IncidentRange{After: mid, Ascending: true, Limit: 2}, between(open, mid, 0)[:2]},
		{"resolved between 4 and 16", incident.IncidentRange{Resolved: true, After: 4, Before: 16}, desc(between(resolved, 4, 16))},
		{"public open", incident.IncidentRange{Public: true}, desc(public(open))},
		{"public resolved, oldest first", incident.IncidentRange{Resolved: true, Public: true, Ascending: true}, public(resolved)},
	} {
		var got []incident.Incident
		view(t, s, func(tx incident.Tx) (err error) { got, err = tx.IncidentRange(c.r); return err })
		if !slices.Equal(ids(got), c.want) {
			t.Errorf("%s: %v, want %v", c.name, ids(got), c.want)
		}
		for i := range got {
			wantNoDiff(t, fmt.Sprintf("%s: incident %d", c.name, got[i].ID), readIncident(t, s, got[i].ID), &got[i])
		}
	}
}

// With a holder, IncidentRange keeps the incidents the user commands or holds a role in.
func incidentRangeOfAHolder(t *testing.T, s incident.Store) {
	all := listed(t, s, 12)
	inc := minimalIncident(13)
	inc.Commander = "U0TL1"
	all[createIncident(t, s, inc).ID] = inc
	var want []int64
	for id := int64(13); id >= 1; id-- {
		if inc := all[id]; inc.Open() && (inc.Commander == "U0TL1" || inc.Roles[incident.RoleTechnicalLead].Holder == "U0TL1") {
			want = append(want, id)
		}
	}
	var got []incident.Incident
	view(t, s, func(tx incident.Tx) (err error) {
		got, err = tx.IncidentRange(incident.IncidentRange{Holder: "U0TL1"})
		return err
	})
	if !slices.Equal(ids(got), want) || len(want) < 2 {
		t.Errorf("the open incidents of U0TL1: %v, want %v", ids(got), want)
	}
}

// Paging through the incident list with Next reaches every listed incident exactly once,
// open ones first (newest first), then resolved ones (newest first); paging back with Prev
// from the last page gives the same pages in reverse; the private ones are left out when
// asked. Both hold whatever the page size.
func listReachesEveryIncidentOnceEachWay(t *testing.T, s incident.Store) {
	all := listed(t, s, 23)
	svc := incident.NewService(incident.ServiceConfig{Store: s, Clock: fixedClock(t0)})
	for _, public := range []bool{false, true} {
		var want []int64
		for _, resolved := range []bool{false, true} {
			for id := int64(23); id >= 1; id-- {
				if inc := all[id]; inc.Open() != resolved && (!public || !inc.Private) {
					want = append(want, id)
				}
			}
		}
		for _, size := range []int{1, 4, 5, 7, len(want), 100} {
			var pages [][]int64
			cursor := ""
			for range len(want) + 2 {
				p, err := svc.ListIncidents(ctx, incident.IncidentList{After: cursor, Limit: size, Public: public})
				if err != nil {
					t.Fatal(err)
				}
				pages = append(pages, ids(p.Incidents))
				if (cursor == "") != (p.Prev == "") {
					t.Errorf("public %v, size %d, page %d: Prev %q after cursor %q", public, size, len(pages), p.Prev, cursor)
				}
				if cursor = p.Next; cursor == "" {
					break
				}
			}
			if got := slices.Concat(pages...); !slices.Equal(got, want) {
				t.Errorf("public %v, size %d: pages %v, want %v in all", public, size, pages, want)
				continue
			}
			for i, p := range pages[:len(pages)-1] {
				if len(p) != size {
					t.Errorf("public %v, size %d: page %d has %d incidents", public, size, i+1, len(p))
				}
			}
			// Back from the last page.
			last := pages[len(pages)-1]
			if len(last) == 0 {
				continue
			}
			before := "o" + fmt.Sprint(last[0])
			if !all[last[0]].Open() {
				before = "r" + fmt.Sprint(last[0])
			}
			for i := len(pages) - 2; i >= 0; i-- {
				p, err := svc.ListIncidents(ctx, incident.IncidentList{Before: before, Limit: size, Public: public})
				if err != nil {
					t.Fatal(err)
				}
				if !slices.Equal(ids(p.Incidents), pages[i]) {
					t.Errorf("public %v, size %d: page %d back is %v, want %v", public, size, i+1, ids(p.Incidents), pages[i])
				}
				if p.Next == "" || (i == 0) != (p.Prev == "") {
					t.Errorf("public %v, size %d: page %d back has Prev %q and Next %q", public, size, i+1, p.Prev, p.Next)
				}
				before = p.Prev
			}
		}
	}
}

// A cursor that is not one is EINVALID.
func listRefusesABadCursor(t *testing.T, s incident.Store) {
	svc := incident.NewService(incident.ServiceConfig{Store: s, Clock: fixedClock(t0)})
	for _, c := range []incident.IncidentList{{After: "x1"}, {Before: "o"}, {After: "r-3"}, {Before: "o1; DROP TABLE incidents"}} {
		if _, err := svc.ListIncidents(ctx, c); incident.ErrorCode(err) != incident.EINVALID {
			t.Errorf("ListIncidents(%+v): %v, want EINVALID", c, err)
		}
	}
}

// EventRange reads an incident's events between two seqs, in either order, up to a
// limit; LatestEventsOfKind the latest of one kind, in timeline order. Another incident's
// events never come with them.
func eventRangeAndLatestOfKind(t *testing.T, s incident.Store) {
	a, b := createIncident(t, s, minimalIncident(1)), createIncident(t, s, minimalIncident(2))
	update(t, s, func(tx incident.Tx) error {
		for i := 1; i <= 30; i++ {
			kind := incident.EventNote
			if i%4 == 0 {
				kind = incident.EventStatusUpdate
			}
			for _, id := range []int64{a.ID, b.ID} {
				if _, err := appendEvent(tx, id, kind, incident.EventData{Text: fmt.Sprintf("event %d", i)}, at(time.Duration(i)*time.Second)); err != nil {
					return err
				}
			}
		}
		return nil
	})
	seqs := func(evs []incident.TimelineEvent) []int {
		out := make([]int, len(evs))
		for i, e := range evs {
			out[i] = e.Seq
			if e.IncidentID != a.ID || e.Data.Text != fmt.Sprintf("event %d", e.Seq) {
				t.Errorf("event %+v is not incident %d's event %d as written", e, a.ID, e.Seq)
			}
		}
		return out
	}
	for _, c := range []struct {
		r    incident.EventRange
		want []int
	}{
		{incident.EventRange{Limit: 3}, []int{1, 2, 3}},
		{incident.EventRange{After: 27}, []int{28, 29, 30}},
		{incident.EventRange{After: 10, Limit: 2}, []int{11, 12}},
		{incident.EventRange{Before: 5, Descending: true}, []int{4, 3, 2, 1}},
		{incident.EventRange{Before: 31, Limit: 2, Descending: true}, []int{30, 29}},
		{incident.EventRange{After: 3, Before: 7}, []int{4, 5, 6}},
	} {
		c.r.IncidentID = a.ID
		var got []incident.TimelineEvent
		view(t, s, func(tx incident.Tx) (err error) { got, err = tx.EventRange(c.r); return err })
		if !slices.Equal(seqs(got), c.want) {
			t.Errorf("EventRange(%+v): %v, want %v", c.r, seqs(got), c.want)
		}
	}
	none := createIncident(t, s, minimalIncident(3))
	var latest map[int64][]incident.TimelineEvent
	view(t, s, func(tx incident.Tx) (err error) {
		latest, err = tx.LatestEventsOfKind([]int64{a.ID, none.ID}, incident.EventStatusUpdate, 3)
		return err
	})
	if got := seqs(latest[a.ID]); !slices.Equal(got, []int{20, 24, 28}) || len(latest) != 1 {
		t.Errorf("the latest 3 status updates: %v, want [20 24 28] of incident %d only (%d incidents)", got, a.ID, len(latest))
	}
	view(t, s, func(tx incident.Tx) (err error) {
		latest, err = tx.LatestEventsOfKind([]int64{b.ID, a.ID}, incident.EventNote, 2)
		return err
	})
	if len(latest[a.ID]) != 2 || latest[a.ID][1].Seq != 30 || len(latest[b.ID]) != 2 || latest[b.ID][0].Seq != 29 || latest[b.ID][0].IncidentID != b.ID {
		t.Errorf("the latest 2 notes of two incidents: %+v", latest)
	}
	full := readEvents(t, s, a.ID)
	var got []incident.TimelineEvent
	view(t, s, func(tx incident.Tx) (err error) {
		got, err = tx.EventRange(incident.EventRange{IncidentID: a.ID})
		return err
	})
	wantNoDiff(t, "the whole range", full, got)
}
