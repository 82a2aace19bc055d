package web_test

import (
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/nephoran/incidentbot/internal/testenv"
)

var clockRe = regexp.MustCompile(`<svg class="clock (\w+)"[^>]*><title>([^<]*)</title><rect class="track" width="100" height="10"/><rect class="fill" width="([\d.]+)"`)

// chartOf is the SVG of the dashboard's chart titled title.
func chartOf(t *testing.T, page, title string) string {
	t.Helper()
	at := strings.Index(page, `aria-label="`+title+`"`)
	if at < 0 {
		t.Fatalf("the dashboard has no chart %q", title)
	}
	svg := page[at:]
	return svg[:strings.Index(svg, "</svg>")]
}

// The dashboard lists the open incidents first, each with its RTO clock as a bar (green,
// amber past half its RTO, red and full once overdue), then the others; its KPI charts
// show each month's MTTR, real incidents and drills apart, and a gap for a month without.
func TestDashboardClocksAndCharts(t *testing.T) {
	sys := testenv.NewSystem(t) // 2026-11-26 03:00 UTC
	general := sys.Slack.AddChannel("general", "U0ALICE")
	do := func(channel, text string) {
		t.Helper()
		if r := sys.Do("U0ALICE", channel, text); r.Error {
			t.Fatalf("%s: %s", text, r.Text)
		}
	}
	do(general, "declare P1 intent-processing Intent API returning 500s") // INC-1, November: recovered in 10m
	sys.Deliver()
	sys.Clock.Advance(10 * time.Minute)
	do(sys.Incident(1).ChannelID, "mitigate")
	do(sys.Incident(1).ChannelID, "resolve fixed")
	sys.Clock.Advance(40 * 24 * time.Hour)           // January 2027: nothing in December
	do(general, "drill application-service-failure") // INC-2: recovered in 20m
	sys.Deliver()
	sys.Clock.Advance(20 * time.Minute)
	do(sys.Incident(2).ChannelID, "mitigate")
	do(sys.Incident(2).ChannelID, "resolve done")
	do(general, "declare P1 intent-processing Intent API down again") // INC-3: RTO 15m
	do(general, "declare P2 api-gateway Slow gateway")                // INC-4: RTO 45m
	do(general, "declare P0 payroll Salaries visible to everyone")    // INC-5: private
	sys.Deliver()
	pages := pagesOf(sys.Service)

	sys.Clock.Advance(10 * time.Minute)
	_, page := get(pages, "/")
	open := page[strings.Index(page, "<h2>Open now (2)</h2>"):strings.Index(page, "<h2>Resolved</h2>")]
	if got := numbers(open); len(got) != 2 || got[0] != 4 || got[1] != 3 {
		t.Fatalf("the open incidents listed first: %v, want INC-4 and INC-3", got)
	}
	if got := numbers(page); len(got) != 4 || got[2] != 2 || got[3] != 1 {
		t.Errorf("the dashboard lists %v, want the open ones then INC-2 and INC-1", got)
	}
	clocks := clockRe.FindAllStringSubmatch(open, -1)
	if len(clocks) != 2 {
		t.Fatalf("%d clocks, want 2:\n%s", len(clocks), open)
	}
	for i, want := range []struct{ class, title, fill string }{
		{"ok", "10m elapsed of 45m, 35m left; RTO 45m (api-gateway), due Jan 5 04:15 UTC", "22.2"},
		{"warn", "10m elapsed of 15m, 5m left; RTO 15m (intent-processing), due Jan 5 03:45 UTC", "66.7"},
	} {
		if c := clocks[i]; c[1] != want.class || c[2] != want.title || c[3] != want.fill {
			t.Errorf("clock %d: %s %q %s, want %s %q %s", i, c[1], c[2], c[3], want.class, want.title, want.fill)
		}
	}
	if strings.Contains(page, "Salaries") || strings.Contains(page, "INC-5") {
		t.Errorf("the dashboard shows the private incident")
	}

	sys.Clock.Advance(10 * time.Minute)
	_, page = get(pages, "/")
	clocks = clockRe.FindAllStringSubmatch(page, -1)
	if len(clocks) != 2 || clocks[1][1] != "over" || clocks[1][3] != "100.0" || !strings.HasPrefix(clocks[1][2], "20m elapsed, 5m over the 15m RTO") ||
		!strings.Contains(page, `<span class="overdue" title="20m elapsed, 5m over the 15m RTO">overdue by 5m (15m)</span>`) {
		t.Errorf("the overdue clock: %q", clocks)
	}

	real := chartOf(t, page, "MTTR, real incidents, by month")
	if !regexp.MustCompile(`<text class="month gap"[^>]*><title>December 2026: no real incidents</title>`).MatchString(real) {
		t.Errorf("December is not a gap in the real incidents' MTTR chart")
	}
	for _, want := range []string{"<title>November 2026: MTTR 10m over 1 incident recovered</title>", ">10m</text></g>",
		`text-anchor="middle"><title>December 2026: no real incidents</title>Dec</text>`,
		"<title>January 2027: 3 incidents, none measured for MTTR</title>"} { // the open ones (private ones count in the KPIs)
		if !strings.Contains(real, want) {
			t.Errorf("the real incidents' MTTR chart lacks %q:\n%s", want, real)
		}
	}
	if strings.Count(real, `<g class="point">`) != 1 {
		t.Errorf("the real incidents' MTTR chart has other points than November's")
	}
	drills := chartOf(t, page, "MTTR, drills, by month")
	if !strings.Contains(drills, "<title>January 2027: MTTR 20m over 1 drill recovered</title>") || !strings.Contains(drills, "November 2026: no drills") ||
		strings.Count(drills, `<g class="point">`) != 1 {
		t.Errorf("the drills' MTTR chart:\n%s", drills)
	}
}
