package commands

import (
	"fmt"
	"strings"
	"testing"

	"github.com/nephoran/incidentbot/internal/incident"
)

// manyScenarios is KPIs with n scenarios among real incidents and drills each.
func manyScenarios(n int) *incident.Stats {
	st := &incident.Stats{}
	for _, g := range []*incident.StatsGroup{&st.Real, &st.Drill} {
		g.All = incident.KPIs{Count: n, Resolved: n}
		g.ByTier = map[incident.Tier]*incident.KPIs{1: {Count: n, Resolved: n}}
		g.ByScenario = map[string]*incident.KPIs{}
		for i := range n {
			g.ByScenario[fmt.Sprintf("scenario-with-a-long-name-%03d", i)] = &incident.KPIs{Count: 1, Resolved: 1, RTOOf: 1, RTOMet: 1}
		}
	}
	return st
}

// KPIs with hundreds of scenarios come in pages that each fit a Slack section (3,000
// characters), every line on exactly one page, each page headed, a page that starts in a
// kind's list naming the kind again, and all but the last saying which command shows the
// next. A page past the last says how many there are. (Before, the answer was one text that
// Slack cut at 40,000 characters.)
func TestStatsPagesFitSlack(t *testing.T) {
	st := manyScenarios(300)
	q, err := parseStatsArgs("90d")
	if err != nil {
		t.Fatal(err)
	}
	whole := FormatStats(st, q.label())
	var pages []string
	for q.page = 1; ; q.page++ {
		text, err := StatsPage(st, q, StatsPageLen)
		if err != nil {
			if !strings.Contains(err.Error(), fmt.Sprintf("only %d pages", len(pages))) {
				t.Errorf("page %d: %v", q.page, err)
			}
			break
		}
		pages = append(pages, text)
		if q.page > 100 {
			t.Fatal("no end to the pages")
		}
	}
	if len(pages) < 10 {
		t.Fatalf("%d pages for %d characters", len(pages), len(whole))
	}
	seen := map[string]int{}
	for i, p := range pages {
		if len(p) > StatsPageLen {
			t.Errorf("page %d has %d characters", i+1, len(p))
		}
		if !strings.HasPrefix(p, "*Recovery KPIs for the last 90d*") {
			t.Errorf("page %d starts %q", i+1, incident.Prefix(p, 80))
		}
		last := i == len(pages)-1
		if next := fmt.Sprintf("`/incident stats 90d page %d` shows the next.", i+2); strings.Contains(p, next) == last {
			t.Errorf("page %d of %d: says the next page (%q): %v", i+1, len(pages), next, !last)
		}
		if i > 0 && strings.Contains(p, "• `scenario") && !strings.Contains(p, "(continued):") {
			t.Errorf("page %d lists scenarios without naming their kind:\n%s", i+1, p)
		}
		for _, l := range strings.Split(p, "\n") {
			if strings.HasPrefix(l, "• ") {
				seen[l]++
			}
		}
	}
	want := map[string]int{}
	for _, l := range strings.Split(whole, "\n") {
		if strings.HasPrefix(l, "• ") {
			want[l]++
		}
	}
	for l, n := range want {
		if seen[l] != n {
			t.Errorf("line %q is %d times on the pages, %d in the whole KPIs", l, seen[l], n)
		}
	}

	// KPIs that fit are one page, as the whole text, with no footer.
	small := manyScenarios(3)
	q.page = 1
	if text, err := StatsPage(small, q, StatsPageLen); err != nil || text != FormatStats(small, q.label()) {
		t.Errorf("one page = %q, %v; want the whole KPIs", text, err)
	}
	q.page = 2
	if _, err := StatsPage(small, q, StatsPageLen); err == nil || !strings.Contains(err.Error(), "only 1 page of KPIs") {
		t.Errorf("page 2 of 1: %v", err)
	}
}

func TestParseStatsArgs(t *testing.T) {
	for in, want := range map[string]statsQuery{"": {period: 30 * 24 * 3600e9, page: 1}, "all page 3": {typed: "all", page: 3},
		"7d": {period: 7 * 24 * 3600e9, typed: "7d", page: 1}, "PAGE 2": {period: 30 * 24 * 3600e9, page: 2}} {
		if got, err := parseStatsArgs(in); err != nil || got != want {
			t.Errorf("parseStatsArgs(%q) = %+v, %v; want %+v", in, got, err, want)
		}
	}
	for _, bad := range []string{"page 0", "page x", "7d 4w", "7d page", "page -1"} {
		if _, err := parseStatsArgs(bad); err == nil {
			t.Errorf("parseStatsArgs(%q) was accepted", bad)
		}
	}
}
