package statuspage_test

import (
	"context"
	"testing"
	"time"

	"github.com/nephoran/incidentbot/internal/incident"
	"github.com/nephoran/incidentbot/internal/testenv"
)

// A retry finds the update an earlier attempt made and does not post it again; but the same
// words said again later (a team's second "Still investigating") are a new update, even
// when the first attempt at it failed before reaching the page.
func TestARetryTellsItsOwnUpdateFromTheSameWordsSaidEarlier(t *testing.T) {
	sp := fake(t)
	now := time.Date(2026, 11, 26, 3, 0, 0, 0, time.UTC)
	sp.SetClock(func() time.Time { return now })
	c := newClient(t, sp, testenv.StatuspageKey)
	ctx := context.Background()
	u := incident.StatusPageUpdate{Marker: "INC-1@x", Name: "Partial outage of api-gateway", Status: incident.PublicInvestigating,
		Body: "Still investigating.", Since: now, Components: map[string]incident.ComponentStatus{"api-gateway": incident.ComponentPartialOutage}}
	ref, err := c.Publish(ctx, u)
	if err != nil {
		t.Fatal(err)
	}
	u.ID = ref.ID

	// Its retry (the first attempt's answer was lost): there already, not posted again.
	u.Retry = true
	if ref, err := c.Publish(ctx, u); err != nil || ref.How != incident.StatusPageUnchanged {
		t.Fatalf("the retry: %+v %v", ref, err)
	}
	// Fifteen minutes on, the same words again, on a retry: a new update.
	now = now.Add(15 * time.Minute)
	u.Since = now
	if ref, err := c.Publish(ctx, u); err != nil || ref.How != incident.StatusPageUpdated {
		t.Fatalf("the same words said again: %+v %v", ref, err)
	}
	if n := len(sp.Incidents()[0].Updates); n != 2 {
		t.Errorf("%d updates on the page, want 2", n)
	}
}
