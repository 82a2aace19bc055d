package pagerduty_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/nephoran/incidentbot/internal/incident"
	"github.com/nephoran/incidentbot/internal/pagerduty"
	"github.com/nephoran/incidentbot/internal/testenv"
)

func newPager(t *testing.T) (*pagerduty.Pager, *testenv.PagerDuty) {
	fake := testenv.NewPagerDuty()
	t.Cleanup(fake.Close)
	return pagerduty.New(pagerduty.Options{Token: testenv.PagerDutyToken, From: testenv.PagerDutyFrom,
		APIURL: fake.URL(), EventsURL: fake.EventsURL()}), fake
}

func TestPageIsIdempotentOnItsKey(t *testing.T) {
	ctx := context.Background()
	p, fake := newPager(t)
	req := incident.PageRequest{Key: "incidentbot/1/technical-lead/1", Title: "[INC-1 P1] API down", Urgency: "high",
		Service: "PSVC001", Target: incident.PageTarget{EscalationPolicy: "PTL0001"}, Details: "Slack channel: https://x/archives/C1"}
	first, err := p.Page(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	again, err := p.Page(ctx, req) // a retry after a crash
	if err != nil || again.ID != first.ID {
		t.Fatalf("retry: %+v %v, want %+v", again, err, first)
	}
	incs := fake.Incidents()
	if len(incs) != 1 {
		t.Fatalf("%d PagerDuty incidents, want 1", len(incs))
	}
	got := incs[0]
	if got.IncidentKey != req.Key || got.Urgency != "high" || got.EscalationPolicy != "PTL0001" || got.Assignees[0] != "PUBOB" || !strings.Contains(got.Body, "archives/C1") {
		t.Errorf("incident %+v", got)
	}
	for _, c := range fake.Calls("POST /incidents") {
		if c.From != testenv.PagerDutyFrom {
			t.Errorf("From header %q", c.From)
		}
	}
}

func TestPageAScheduleAssignsItsOnCall(t *testing.T) {
	p, fake := newPager(t)
	_, err := p.Page(context.Background(), incident.PageRequest{Key: "k", Title: "t", Urgency: "low", Service: "PSVC001",
		Target: incident.PageTarget{Schedule: "PCOMMS1"}})
	if err != nil {
		t.Fatal(err)
	}
	if a := fake.Incidents()[0].Assignees; len(a) != 1 || a[0] != "PUCAROL" {
		t.Errorf("assignees %v", a)
	}
}

func TestEventsAPIPage(t *testing.T) {
	ctx := context.Background()
	p, fake := newPager(t)
	target := incident.PageTarget{RoutingKey: testenv.PagerDutyRoutingKey}
	ref, err := p.Page(ctx, incident.PageRequest{Key: "incidentbot/1/legal/1", Title: "[INC-1 P0] breach", Urgency: "high", Target: target})
	if err != nil || ref.ID != "incidentbot/1/legal/1" {
		t.Fatalf("%+v %v", ref, err)
	}
	if err := p.Resolve(ctx, target, ref); err != nil {
		t.Fatal(err)
	}
	evs := fake.Events()
	if len(evs) != 2 || evs[0].Action != "trigger" || evs[0].Severity != "critical" || evs[1].Action != "resolve" || evs[1].DedupKey != ref.ID {
		t.Errorf("events %+v", evs)
	}
	_, err = p.Page(ctx, incident.PageRequest{Key: "k", Title: "t", Target: incident.PageTarget{RoutingKey: "short"}})
	if err == nil || incident.ErrorCode(err) != incident.EINTERNAL || isTemporary(err) {
		t.Errorf("a bad routing key must fail for good: %v", err)
	}
}

func isTemporary(err error) bool {
	var tmp *incident.TemporaryError
	return errors.As(err, &tmp)
}

func TestRateLimitWaitsForRatelimitReset(t *testing.T) {
	p, fake := newPager(t)
	fake.Fail("POST /incidents", testenv.Fault{Status: 429, RetryAfter: 17})
	_, err := p.Page(context.Background(), incident.PageRequest{Key: "k", Title: "t", Service: "PSVC001", Target: incident.PageTarget{EscalationPolicy: "PIC0001"}})
	var tmp *incident.TemporaryError
	if !errors.As(err, &tmp) || tmp.RetryAfter != 17*time.Second {
		t.Fatalf("got %v, want a 17s rate limit", err)
	}
	fake.Fail("POST /incidents", testenv.Fault{Status: 502})
	if _, err := p.Page(context.Background(), incident.PageRequest{Key: "k", Title: "t", Service: "PSVC001", Target: incident.PageTarget{EscalationPolicy: "PIC0001"}}); !isTemporary(err) {
		t.Errorf("502: %v", err)
	}
}

func TestResolveNoteAndLookups(t *testing.T) {
	ctx := context.Background()
	p, fake := newPager(t)
	pdInc := fake.AddIncident("from monitoring", "PSVC001", "high")
	ref := incident.PageRef{ID: pdInc.ID}
	if err := p.Note(ctx, ref.ID, "Slack channel: https://x/archives/C1"); err != nil {
		t.Fatal(err)
	}
	if has, err := p.HasNote(ctx, ref.ID, "Slack channel: https://x/archives/C1"); err != nil || !has {
		t.Errorf("HasNote %v %v", has, err)
	}
	if has, _ := p.HasNote(ctx, ref.ID, "something else"); has {
		t.Error("HasNote found a note never written")
	}
	for i := 0; i < 2; i++ { // resolving twice is fine
		if err := p.Resolve(ctx, incident.PageTarget{}, ref); err != nil {
			t.Fatalf("resolve %d: %v", i, err)
		}
	}
	if err := p.Note(ctx, "QNOSUCH", "x"); incident.ErrorCode(err) != incident.ENOTFOUND {
		t.Errorf("note on a missing incident: %v", err)
	}

	people, err := p.OnCall(ctx, incident.PageTarget{EscalationPolicy: "PIC0001"})
	if err != nil || len(people) != 1 || people[0].Email != "alice@example.com" {
		t.Fatalf("on call %+v %v", people, err)
	}
	p.OnCall(ctx, incident.PageTarget{EscalationPolicy: "PIC0001"})
	if n := len(fake.Calls("GET /oncalls")); n != 1 {
		t.Errorf("%d on-call requests for two lookups within a minute, want 1", n)
	}
	if id, found, err := p.UserByEmail(ctx, "BOB@example.com"); err != nil || !found || id != "PUBOB" {
		t.Errorf("UserByEmail %q %v %v", id, found, err)
	}
	if _, found, _ := p.UserByEmail(ctx, "nobody@example.com"); found {
		t.Error("found a user who does not exist")
	}
}
