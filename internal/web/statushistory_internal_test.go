package web

import (
	"strings"
	"testing"
	"time"

	"github.com/nephoran/incidentbot/internal/incident"
)

// A service's day is in the worst state it was in at any moment, and counts each state's
// time once however many incidents overlap; an incident over midnight counts on both
// days; an open one up to now; days before the history was cut short are not known.
func TestDayBars(t *testing.T) {
	now := time.Date(2026, 11, 28, 6, 0, 0, 0, time.UTC)
	first := firstDay(now)
	if want := time.Date(2026, 8, 31, 0, 0, 0, 0, time.UTC); !first.Equal(want) {
		t.Fatalf("the first day is %s, want %s", first, want)
	}
	at := func(day, hour, minute int) time.Time { return time.Date(2026, 11, day, hour, minute, 0, 0, time.UTC) }
	outages := []incident.Outage{
		// Two P2s on a at once, 10:00-11:00 and 10:30-11:30: 90 minutes degraded, not 2h.
		{Severity: incident.P2, Status: incident.StatusResolved, Services: []string{"a"}, DeclaredAt: at(20, 10, 0), ResolvedAt: at(20, 11, 0)},
		{Severity: incident.P2, Status: incident.StatusResolved, Services: []string{"a"}, DeclaredAt: at(20, 10, 30), ResolvedAt: at(20, 11, 30)},
		// A P0 inside them, 10:40-10:50: the day is major, 10 minutes of it, degraded 80.
		{Severity: incident.P0, Status: incident.StatusResolved, Services: []string{"a", "gone"}, DeclaredAt: at(20, 10, 40), ResolvedAt: at(20, 10, 50)},
		// A P1 over midnight on b: 23:00-01:30.
		{Severity: incident.P1, Status: incident.StatusResolved, Services: []string{"b"}, DeclaredAt: at(24, 23, 0), ResolvedAt: at(25, 1, 30)},
		// A P3 still open on b since 05:00 today.
		{Severity: incident.P3, Status: incident.StatusInvestigating, Services: []string{"b"}, DeclaredAt: at(28, 5, 0)},
	}
	bars := dayBars(outages, []string{"a", "b", "c"}, first, first, now)
	if _, ok := bars["gone"]; ok {
		t.Errorf("a service out of the catalog has a bar")
	}
	day := func(svc string, d int) string {
		i := int(at(d, 0, 0).Sub(first) / (24 * time.Hour))
		return componentStates[bars[svc].Days[i].worst()].Class + " " + bars[svc].Days[i].title()
	}
	for _, c := range []struct {
		svc  string
		d    int
		want string
	}{
		{"a", 20, "major Fri Nov 20, 2026: major outage for 10m, degraded performance for 1h20m"},
		{"a", 21, "operational Sat Nov 21, 2026: operational"},
		{"b", 24, "partial Tue Nov 24, 2026: partial outage for 1h"},
		{"b", 25, "partial Wed Nov 25, 2026: partial outage for 1h30m"},
		{"b", 28, "degraded Sat Nov 28, 2026: degraded performance for 1h"},
		{"c", 28, "operational Sat Nov 28, 2026: operational"},
	} {
		if got := day(c.svc, c.d); got != c.want {
			t.Errorf("%s on the %dth: %q, want %q", c.svc, c.d, got, c.want)
		}
	}
	if got := bars["c"].Uptime(); got != "100.00%" {
		t.Errorf("c's uptime: %s", got)
	}
	if got := bars["b"].Uptime(); got != "99.88%" { // 2h30m of partial outage in 89 days and 6 hours: 2,142h
		t.Errorf("b's uptime: %s", got)
	}

	// Cut short: known from Nov 27 10:00 only.
	cut := dayBars(outages, []string{"a"}, first, at(27, 10, 0), now)
	svg := string(cut["a"].SVG())
	if n := strings.Count(svg, `class="unknown"`); n != 88 {
		t.Errorf("%d days not known, want the 88 before Nov 27", n)
	}
	if !strings.Contains(svg, "<title>Fri Nov 20, 2026: not known</title>") || strings.Count(svg, "<rect") != 90 {
		t.Errorf("the cut bar: %s", svg)
	}
}
