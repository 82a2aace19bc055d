package web_test

import (
	"fmt"
	"html"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/nephoran/incidentbot/internal/testenv"
)

var (
	keyRe  = regexp.MustCompile(`<a href="/incidents/INC-(\d+)">`)
	nextRe = regexp.MustCompile(`<a href="([^"]+)">Next</a>`)
	prevRe = regexp.MustCompile(`<a href="([^"]+)">Previous</a>`)
)

// numbers are the incidents a dashboard page lists, in its order.
func numbers(page string) []int {
	var out []int
	for _, m := range keyRe.FindAllStringSubmatch(page, -1) {
		var n int
		fmt.Sscan(m[1], &n)
		out = append(out, n)
	}
	return out
}

func link(re *regexp.Regexp, page string) string {
	if m := re.FindStringSubmatch(page); m != nil {
		return html.UnescapeString(m[1])
	}
	return ""
}

// The dashboard lists a page at a time (it used to list every open incident and the
// latest 20 resolved ones, reading all of them): following Next reaches every incident but
// the private ones exactly once, the open ones first, then the resolved ones, the newest
// first in each; following Previous from the last page gives the same pages back.
func TestDashboardPagesThroughEveryIncident(t *testing.T) {
	h := history{Incidents: 130, Open: 23, Each: 2, Spacing: time.Hour}
	pages := pagesOf(h.open(t))
	var want []int
	for _, open := range []bool{true, false} {
		for n := h.Incidents; n >= 1; n-- {
			if n%10 != 0 && (n > h.Incidents-h.Open) == open {
				want = append(want, n)
			}
		}
	}
	var seen [][]int
	path := "/"
	for path != "" && len(seen) < 10 {
		code, page := get(pages, path)
		if code != 200 {
			t.Fatalf("GET %s: %d", path, code)
		}
		seen = append(seen, numbers(page))
		if (len(seen) == 1) != (link(prevRe, page) == "") {
			t.Errorf("page %d (%s): Previous link %q", len(seen), path, link(prevRe, page))
		}
		path = link(nextRe, page)
	}
	if got := slices.Concat(seen...); !slices.Equal(got, want) {
		t.Fatalf("the pages list %v, want %v", seen, want)
	}
	if len(seen) != 3 || len(seen[0]) != 50 {
		t.Errorf("%d pages of %d, want 3 of 50", len(seen), len(seen[0]))
	}
	_, page := get(pages, "/?after=r"+fmt.Sprint(want[len(want)-len(seen[len(seen)-1])-1]))
	for i := len(seen) - 2; i >= 0; i-- {
		path := link(prevRe, page)
		if path == "" {
			t.Fatalf("page %d has no Previous link", i+2)
		}
		_, page = get(pages, path)
		if got := numbers(page); !slices.Equal(got, seen[i]) {
			t.Errorf("Previous to page %d lists %v, want %v", i+1, got, seen[i])
		}
	}
	for _, bad := range []string{"/?after=zz", "/?before=o-1"} {
		if code, _ := get(pages, bad); code != 400 {
			t.Errorf("GET %s: %d, want 400", bad, code)
		}
	}
}

// An incident's page shows a window of 200 events of a long timeline (it used to show all
// of them), with links to the first, earlier, later and latest ones; a short timeline shows
// whole, without them.
func TestIncidentPageShowsAWindowOfALongTimeline(t *testing.T) {
	h := history{Incidents: 3, Open: 2, Each: 5, Big: 445, Spacing: time.Hour}
	pages := pagesOf(h.open(t))
	notes := func(page string) (first, last int) {
		re := regexp.MustCompile(`(?:note|update) (\d+) of incident 3`)
		ms := re.FindAllStringSubmatch(page, -1)
		if len(ms) == 0 {
			return 0, 0
		}
		fmt.Sscan(ms[0][1], &first)
		fmt.Sscan(ms[len(ms)-1][1], &last)
		return first, last
	}
	for _, c := range []struct {
		path        string
		first, last int
		window      string
		links       []string
	}{
		{"/incidents/INC-3", 1, 200, "Events 1 to 200 of 450.", []string{">Later<", ">Latest<"}},
		{"/incidents/INC-3?after=200", 201, 400, "Events 201 to 400 of 450.", []string{">First<", ">Earlier<", ">Later<", ">Latest<"}},
		{"/incidents/INC-3?before=451", 251, 450, "Events 251 to 450 of 450.", []string{">First<", ">Earlier<"}},
		{"/incidents/INC-3?before=150", 1, 200, "Events 1 to 200 of 450.", []string{">Later<", ">Latest<"}}, // near the start: the first 200
	} {
		code, page := get(pages, c.path)
		first, last := notes(page)
		if code != 200 || first != c.first || last != c.last || !strings.Contains(page, c.window) {
			t.Errorf("%s (%d): events %d to %d, want %d to %d and %q", c.path, code, first, last, c.first, c.last, c.window)
		}
		for _, l := range c.links {
			if strings.Count(page, l) != 2 { // above and below the table
				t.Errorf("%s lacks the %s link twice", c.path, l)
			}
		}
		for _, l := range []string{">First<", ">Earlier<", ">Later<", ">Latest<"} {
			if !slices.Contains(c.links, l) && strings.Contains(page, l) {
				t.Errorf("%s has a %s link", c.path, l)
			}
		}
	}
	if _, page := get(pages, "/incidents/INC-2"); strings.Contains(page, "Events 1 to") || !strings.Contains(page, "note 5 of incident 2") {
		t.Errorf("a short timeline is not shown whole, without a window line")
	}
	if code, _ := get(pages, "/incidents/INC-3?after=x"); code != 400 {
		t.Errorf("a bad window: %d, want 400", code)
	}
}

// The status page reads an open incident's latest 50 updates for it, not its whole
// timeline: of 45 status-page updates in 450 events, all show; of 60 in 600, the latest 50
// (and none of the first 10).
func TestStatusPageShowsTheLatestUpdates(t *testing.T) {
	h := history{Incidents: 2, Open: 2, Each: 450, Big: 150, Spacing: time.Hour}
	_, page := get(pagesOf(h.open(t)), "/status")
	count := func(n int) int { return strings.Count(page, fmt.Sprintf("of incident %d<", n)) }
	if count(1) != 45 || count(2) != 50 || strings.Contains(page, "update 100 of incident 2<") || !strings.Contains(page, "update 110 of incident 2<") {
		t.Errorf("the status page shows %d and %d updates, want 45 and the latest 50", count(1), count(2))
	}
}

// The dashboard's KPIs are current at every load: what a load shows after another incident
// and two minutes is the KPIs with it.
func TestDashboardKPIsFollowTheClock(t *testing.T) {
	sys := testenv.NewSystem(t)
	general := sys.Slack.AddChannel("general", "U0ALICE")
	sys.Do("U0ALICE", general, "declare P1 intent-processing Intent API returning 500s")
	sys.Deliver()
	pages := pagesOf(sys.Service)
	real := func(n int) string { return fmt.Sprintf("<td>Real</td><td>all</td><td>%d</td>", n) }
	if _, page := get(pages, "/"); !strings.Contains(page, real(1)) {
		t.Fatalf("the first load lacks %q", real(1))
	}
	sys.Do("U0ALICE", general, "declare P2 api-gateway Slow gateway")
	sys.Deliver()
	sys.Clock.Advance(2 * time.Minute)
	if _, page := get(pages, "/"); !strings.Contains(page, real(2)) {
		t.Errorf("after another incident and two minutes the dashboard lacks %q", real(2))
	}
}
