package web_test

import (
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/nephoran/incidentbot/internal/incident"
	"github.com/nephoran/incidentbot/internal/testenv"
	"github.com/nephoran/incidentbot/internal/web"
)

// months are the MonthKPIs of four months from September 2026: real incidents in
// September, November and December (none in October), a drill only in October.
func sampleMonths() []incident.MonthKPIs {
	m := func(month time.Month) time.Time { return time.Date(2026, month, 1, 0, 0, 0, 0, time.UTC) }
	real := func(n int, mtta, mttr time.Duration, rtoMet int) incident.KPIs {
		return incident.KPIs{Count: n, Acked: n, Recovered: n, MTTA: mtta, MTTR: mttr, RTOMet: rtoMet, RTOOf: n}
	}
	return []incident.MonthKPIs{
		{Month: m(time.September), Real: real(2, 3*time.Minute, 40*time.Minute, 1)},
		{Month: m(time.October), Drill: incident.KPIs{Count: 1, Recovered: 1, MTTR: 20 * time.Minute}},
		{Month: m(time.November), Real: real(4, 90*time.Second, 25*time.Minute, 4)},
		{Month: m(time.December), Real: real(1, 5*time.Minute, 2*time.Hour+10*time.Minute, 0)},
	}
}

// A KPI chart against a golden file: the y axis with its top, middle and zero, the target
// line, a label under each month, the line broken at the month without incidents, and each
// value written beside its point with a title for hover.
func TestKPIChartGolden(t *testing.T) {
	rows := web.KPICharts(sampleMonths())
	var b strings.Builder
	for _, r := range rows {
		b.WriteString(r.Real + "\n" + r.Drill + "\n")
	}
	testenv.Golden(t, "testdata/kpi-charts.svg", b.String())
}

var (
	pointTitleRe = regexp.MustCompile(`<g class="point"><title>([^<]*)</title>`)
	pathRe       = regexp.MustCompile(`<path class="line" d="([^"]*)"/>`)
	monthRe      = regexp.MustCompile(`<text class="(month[^"]*)"[^>]*><title>([^<]*)</title>(\w+)</text>`)
)

// A month without incidents is a gap, not a zero: no point, a break in the line and a
// greyed month that says why; real incidents and drills are charted apart.
func TestKPIChartShowsAGapNotAZero(t *testing.T) {
	rows := web.KPICharts(sampleMonths())
	if len(rows) != 3 || rows[0].Name != "MTTA" || rows[1].Name != "MTTR" || rows[2].Name != "RTO met" {
		t.Fatalf("rows %v", rows)
	}
	mttr := rows[1].Real
	points := pointTitleRe.FindAllStringSubmatch(mttr, -1)
	if len(points) != 3 {
		t.Fatalf("%d points, want 3 (September, November, December):\n%s", len(points), mttr)
	}
	for i, want := range []string{"September 2026: MTTR 40m over 2 incidents recovered", "November 2026: MTTR 25m over 4 incidents recovered",
		"December 2026: MTTR 2h10m over 1 incident recovered"} {
		if points[i][1] != want {
			t.Errorf("point %d: %q, want %q", i, points[i][1], want)
		}
	}
	// Two paths would be a line through the gap; one path (November to December) and
	// September alone is the break.
	if paths := pathRe.FindAllStringSubmatch(mttr, -1); len(paths) != 1 || strings.Count(paths[0][1], "L") != 1 {
		t.Errorf("the line: %q, want one segment from November to December", paths)
	}
	months := monthRe.FindAllStringSubmatch(mttr, -1)
	if len(months) != 4 || months[1][1] != "month gap" || months[1][2] != "October 2026: no real incidents" || months[1][3] != "Oct" {
		t.Errorf("the months: %q", months)
	}
	for _, want := range []string{">40m</text>", ">25m</text>", ">2h10m</text>"} { // readable without hover
		if !strings.Contains(mttr, want) {
			t.Errorf("the chart lacks the value label %q", want)
		}
	}
	drill := rows[1].Drill
	if points := pointTitleRe.FindAllStringSubmatch(drill, -1); len(points) != 1 || points[0][1] != "October 2026: MTTR 20m over 1 drill recovered" {
		t.Errorf("the drills' MTTR: %q, want October's alone", points)
	}
	if !strings.Contains(drill, "September 2026: no drills") {
		t.Errorf("the drills' chart does not say September had none")
	}
	// A month with incidents but nothing to measure is a gap too, and says so.
	rto := rows[2].Drill
	if !strings.Contains(rto, "October 2026: 1 drill, none measured for RTO met") || !strings.Contains(rto, ">nothing measured<") {
		t.Errorf("the drills' RTO chart: %s", rto)
	}
	if real := rows[2].Real; !strings.Contains(real, ">0%</text></g>") || !strings.Contains(real, `class="target"`) {
		t.Errorf("December's RTO met (0 of 1) is a measured zero, with the target line: %s", real)
	}
}
