package storetest

import (
	"testing"
	"time"

	"github.com/nephoran/incidentbot/internal/incident"
)

func pageCases() []testCase {
	return []testCase{
		{"InsertSetsIDAndPagesReadInOrder", insertSetsIDAndPagesReadInOrder},
		{"RoutingKeyIsNotStored", routingKeyIsNotStored},
		{"PageByPagerID", pageByPagerID},
		{"UpdatePageStoresTheAck", updatePageStoresTheAck},
		{"KeysAreUnique", pageKeysAreUnique},
	}
}

func newPages(id int64) []*incident.Page {
	return []*incident.Page{
		{IncidentID: id, Role: incident.RoleCommander, Target: incident.PageTarget{EscalationPolicy: "P0IC001"}, Key: "INC-1/incident-commander/1",
			PagerID: "Q0PD0001", URL: "https://example.pagerduty.com/incidents/Q0PD0001", Status: "triggered", CreatedAt: at(time.Second)},
		{IncidentID: id, Role: incident.RoleCommunications, Target: incident.PageTarget{Schedule: "PCOMMS1"}, Key: "INC-1/communications-lead/1",
			PagerID: "Q0PD0002", Status: "acknowledged", AckedBy: "Erin “Comms” Éclair", AckedAt: at(3*time.Minute + 7*time.Millisecond), CreatedAt: at(2 * time.Second)},
		{IncidentID: id, Target: incident.PageTarget{User: "P0USER1"}, Key: "INC-1/U0BOB/7", PagerID: "Q0PD0003", Status: "resolved", CreatedAt: at(3 * time.Second)},
		{IncidentID: id, Role: incident.RoleTechnicalLead, Target: incident.PageTarget{}, Key: "INC-1/technical-lead/1", PagerID: "incidentbot/INC-1/technical-lead/1",
			ViaEvents: true, Status: "triggered", CreatedAt: at(4 * time.Second)},
	}
}

func insertPages(t *testing.T, s incident.Store, pages []*incident.Page) {
	t.Helper()
	update(t, s, func(tx incident.Tx) error {
		for _, p := range pages {
			if err := tx.InsertPage(p); err != nil {
				return err
			}
			if p.ID <= 0 {
				t.Errorf("InsertPage set ID %d on %s", p.ID, p.Key)
			}
		}
		return nil
	})
}

func readPages(t *testing.T, s incident.Store, id int64) []incident.Page {
	t.Helper()
	var out []incident.Page
	view(t, s, func(tx incident.Tx) (err error) { out, err = tx.Pages(id); return err })
	return out
}

// InsertPage sets an ID; Pages lists an incident's pages in the order they were sent,
// every field as written, and nothing of other incidents.
func insertSetsIDAndPagesReadInOrder(t *testing.T, s incident.Store) {
	a := createIncident(t, s, minimalIncident(1))
	b := createIncident(t, s, minimalIncident(2))
	pages := newPages(a.ID)
	other := &incident.Page{IncidentID: b.ID, Role: incident.RoleCommander, Target: incident.PageTarget{EscalationPolicy: "P0IC001"},
		Key: "INC-2/incident-commander/1", PagerID: "Q0PD0009", Status: "triggered", CreatedAt: t0}
	insertPages(t, s, []*incident.Page{pages[0], pages[1], other, pages[2], pages[3]})
	var want []incident.Page
	for _, p := range pages {
		want = append(want, *p)
	}
	got := readPages(t, s, a.ID)
	wantNoDiff(t, "Pages", want, got)
	wantUTC(t, "Pages", got)
	if got := readPages(t, s, b.ID+100); len(got) != 0 {
		t.Errorf("Pages of no incident: %d", len(got))
	}
}

// A page's Events API routing key is a secret: it is never stored, and reads back empty.
func routingKeyIsNotStored(t *testing.T, s incident.Store) {
	inc := createIncident(t, s, minimalIncident(1))
	p := &incident.Page{IncidentID: inc.ID, Role: incident.RoleTechnicalLead, Target: incident.PageTarget{RoutingKey: "R0SECRETROUTINGKEY"},
		Key: "INC-1/technical-lead/1", PagerID: "dedup-1", ViaEvents: true, Status: "triggered", CreatedAt: t0}
	insertPages(t, s, []*incident.Page{p})
	got := readPages(t, s, inc.ID)
	if len(got) != 1 {
		t.Fatalf("%d pages", len(got))
	}
	if got[0].Target.RoutingKey != "" {
		t.Errorf("the routing key was stored: %q", got[0].Target.RoutingKey)
	}
	if !got[0].ViaEvents || got[0].PagerID != "dedup-1" {
		t.Errorf("page read back %+v", got[0])
	}
}

// PageByPagerID finds a page by its PagerDuty incident ID (or dedup key).
func pageByPagerID(t *testing.T, s incident.Store) {
	inc := createIncident(t, s, minimalIncident(1))
	pages := newPages(inc.ID)
	insertPages(t, s, pages)
	view(t, s, func(tx incident.Tx) error {
		for _, w := range pages {
			got, err := tx.PageByPagerID(w.PagerID)
			if err != nil {
				t.Errorf("PageByPagerID(%s): %v", w.PagerID, err)
				continue
			}
			wantNoDiff(t, "PageByPagerID", *w, *got)
		}
		p, err := tx.PageByPagerID("Q0NOSUCH")
		wantCode(t, "PageByPagerID of an unknown ID", err, incident.ENOTFOUND)
		if p != nil {
			t.Errorf("PageByPagerID of an unknown ID returned %+v", p)
		}
		return nil
	})
}

// UpdatePage stores a page's status and acknowledgement.
func updatePageStoresTheAck(t *testing.T, s incident.Store) {
	inc := createIncident(t, s, minimalIncident(1))
	pages := newPages(inc.ID)
	insertPages(t, s, pages)
	p := pages[0]
	p.Status, p.AckedBy, p.AckedAt = "acknowledged", "Dave Duty", at(time.Minute+time.Millisecond)
	update(t, s, func(tx incident.Tx) error { return tx.UpdatePage(p) })
	got := readPages(t, s, inc.ID)
	wantNoDiff(t, "the acknowledged page", *p, got[0])
	wantNoDiff(t, "the other pages", *pages[1], got[1])
	p.Status = "resolved"
	update(t, s, func(tx incident.Tx) error { return tx.UpdatePage(p) })
	wantNoDiff(t, "the resolved page", *p, readPages(t, s, inc.ID)[0])
}

// A page's key is unique: a second page with it is refused.
func pageKeysAreUnique(t *testing.T, s incident.Store) {
	inc := createIncident(t, s, minimalIncident(1))
	pages := newPages(inc.ID)
	insertPages(t, s, pages[:1])
	dup := *pages[1]
	dup.Key = pages[0].Key
	wantFails(t, s, "a second page with a key taken", func(tx incident.Tx) error { return tx.InsertPage(&dup) })
	if n := len(readPages(t, s, inc.ID)); n != 1 {
		t.Errorf("%d pages, want 1", n)
	}
}
