package web

import (
	"fmt"
	"html"
	"html/template"
	"net/http"
	"net/url"
	"time"

	"github.com/nephoran/incidentbot/internal/incident"
)

// dashRow is an incident as the dashboard lists it: its row, when it was declared in
// short, and for an open one its RTO clock.
type dashRow struct {
	row
	Open                  bool
	DeclaredShort         template.HTML // "Nov 26 03:00", in the reader's zone (UTC on hover)
	Since                 string        // "25m ago"
	Acked                 string        // "acknowledged after 3m", "not acknowledged"
	Clock                 template.HTML
	ClockLabel, ClockNote string
}

func (p *Pages) index(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	page, err := p.Service.ListIncidents(r.Context(), incident.IncidentList{After: q.Get("after"), Before: q.Get("before"), Limit: dashboardPage, Public: true})
	if err != nil {
		WriteError(w, r, p.Log, fmt.Errorf("dashboard: read the incidents: %w", err))
		return
	}
	now := p.Service.Now()
	var open, rest []dashRow
	for i := range page.Incidents {
		inc := &page.Incidents[i]
		if inc.Private { // ListIncidents left them out; never show one
			continue
		}
		d := p.dashRow(r, inc, now)
		if d.Open {
			open = append(open, d)
		} else {
			rest = append(rest, d)
		}
	}
	st, err := p.Service.Stats(r.Context(), now.Add(-kpiPeriod))
	if err != nil {
		WriteError(w, r, p.Log, fmt.Errorf("dashboard: read the KPIs: %w", err))
		return
	}
	months, err := p.Service.MonthlyStats(r.Context(), kpiMonths)
	if err != nil {
		WriteError(w, r, p.Log, fmt.Errorf("dashboard: read the monthly KPIs: %w", err))
		return
	}
	data := map[string]any{"Title": "Incidents", "Open": open, "Incidents": rest, "KPIs": kpiRows(st), "Charts": kpiCharts(months),
		"Months": kpiMonths}
	if page.Prev != "" {
		data["Prev"] = "/?before=" + url.QueryEscape(page.Prev)
	}
	if page.Next != "" {
		data["Next"] = "/?after=" + url.QueryEscape(page.Next)
	}
	p.render(w, "index", data)
}

func (p *Pages) dashRow(r *http.Request, inc *incident.Incident, now time.Time) dashRow {
	d := dashRow{row: p.row(r.Context(), inc, now), Open: inc.Open(), DeclaredShort: dayHTML(inc.DeclaredAt),
		Since: shortDuration(now.Sub(inc.DeclaredAt)) + " ago"}
	if !d.Open {
		return d
	}
	d.Acked = "not acknowledged"
	if !inc.AckedAt.IsZero() {
		d.Acked = "acknowledged after " + shortDuration(inc.AckedAt.Sub(inc.DeclaredAt))
	}
	d.Clock, d.ClockLabel, d.ClockNote = rtoClock(inc, inc.ComputeObjectives(p.Service.Catalog()), now)
	return d
}

// rtoClock draws an open incident's RTO clock as a bar: the time since its declaration
// (until its mitigation, once mitigated) against its RTO, with marks at the warnings (50%
// and 80%); green, then amber past the first warning, orange past the second, red once
// overdue. The label says it in words; without an RTO (no service) there is no bar.
func rtoClock(inc *incident.Incident, o incident.Objectives, now time.Time) (bar template.HTML, label, note string) {
	if o.RTO <= 0 {
		return "", "no RTO: no service named", ""
	}
	end, state := now, "running"
	if !inc.MitigatedAt.IsZero() {
		end, state = inc.MitigatedAt, "mitigated"
	}
	took := end.Sub(inc.DeclaredAt)
	share := float64(took) / float64(o.RTO)
	cls := "ok"
	switch {
	case share > 1:
		cls = "over"
	case share >= 0.8:
		cls = "late"
	case share >= 0.5:
		cls = "warn"
	}
	deadline := inc.DeclaredAt.Add(o.RTO)
	switch {
	case state == "mitigated" && share <= 1:
		label = fmt.Sprintf("mitigated in %s of %s", shortDuration(took), shortDuration(o.RTO))
	case state == "mitigated":
		label = fmt.Sprintf("mitigated in %s, over the %s RTO", shortDuration(took), shortDuration(o.RTO))
	case share > 1:
		label = fmt.Sprintf("%s elapsed, %s over the %s RTO", shortDuration(took), shortDuration(took-o.RTO), shortDuration(o.RTO))
	default:
		label = fmt.Sprintf("%s elapsed of %s, %s left", shortDuration(took), shortDuration(o.RTO), shortDuration(o.RTO-took))
	}
	note = fmt.Sprintf("RTO %s (%s), due %s UTC", shortDuration(o.RTO), o.RTOService, shortTime(deadline))
	title := html.EscapeString(label + "; " + note)
	fill := min(share, 1) * 100
	bar = template.HTML(fmt.Sprintf(`<svg class="clock %s" viewBox="0 0 100 10" preserveAspectRatio="none" role="img" aria-label="%s">`+ //nolint:gosec // escaped
		`<title>%s</title><rect class="track" width="100" height="10"/><rect class="fill" width="%.1f" height="10"/>`+
		`<line class="mark" x1="50" y1="0" x2="50" y2="10"/><line class="mark" x1="80" y1="0" x2="80" y2="10"/></svg>`,
		cls, title, title, fill))
	return bar, label, note
}
