package web

import (
	"fmt"
	"html/template"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/nephoran/incidentbot/internal/incident"
	"github.com/nephoran/incidentbot/internal/words"
)

// A component's (a catalog service's) state, from the severity of the incidents affecting
// it: P0 is a major outage, P1 a partial outage, P2 and P3 degraded performance; with none,
// operational. The worst one counts. These are Statuspage's component states, worst first.
const (
	stateMajor = iota
	statePartial
	stateDegraded
	stateOperational
)

// componentStates are the states' names and CSS classes, worst first.
var componentStates = []struct{ State, Class string }{
	{"Major outage", "major"}, {"Partial outage", "partial"}, {"Degraded performance", "degraded"}, {"Operational", "operational"},
}

// stateOf is the state an incident of severity sev puts its services in.
func stateOf(sev incident.Severity) int {
	switch sev {
	case incident.P0:
		return stateMajor
	case incident.P1:
		return statePartial
	}
	return stateDegraded
}

// statusComponent is one service as the status page shows it: its state now and its days.
type statusComponent struct {
	Name, State, Class string
	Days               *dayBar
}

// statusIncident is an incident as the status page tells it: what it did to which
// services, and the updates posted for the status page.
type statusIncident struct {
	Title, Status, Period string
	Declared              template.HTML // in the reader's zone, UTC on hover
	Updates               []statusUpdate
}

type statusUpdate struct {
	At   template.HTML // in the reader's zone, UTC on hover
	Text template.HTML
}

func (p *Pages) status(w http.ResponseWriter, r *http.Request) {
	now := p.Service.Now()
	first := firstDay(now)
	v, err := p.Service.StatusPage(r.Context(), incident.StatusRead{Since: first, Limit: statusOutages, Past: statusPast, Updates: statusUpdates})
	if err != nil {
		WriteError(w, r, p.Log, err)
		return
	}
	catalog := p.Service.Catalog()
	names := p.updateNames(r, v)
	worst := map[string]int{}
	var open []statusIncident
	for i := range v.Open {
		inc := &v.Open[i]
		if inc.Drill { // a drill is an exercise: the public never sees it
			continue
		}
		for _, s := range inc.Services {
			if st, ok := worst[s]; !ok || stateOf(inc.Severity) < st {
				worst[s] = stateOf(inc.Severity)
			}
		}
		if inc.Private { // the state of its services, and nothing else
			continue
		}
		// The public status is what Statuspage is told (internal/incident/statuspage.go):
		// monitoring once mitigated, else the latest status page update's.
		status := incident.PublicStatusOf(inc.Status, false)
		for _, e := range v.Updates[inc.ID] {
			if _, ok := publicText(e); ok {
				if st := incident.PublicStatus(e.Data.Outcome); st != "" && inc.Status == incident.StatusInvestigating {
					status = st
				}
			}
		}
		open = append(open, statusIncident{Title: incident.PublicTitle(inc.Severity, incident.PublicServices(inc, catalog)), Status: status.Words(),
			Declared: dayHTML(inc.DeclaredAt), Updates: publicUpdates(v.Updates[inc.ID], names)})
	}
	known := first
	if v.Truncated && len(v.Outages) > 0 {
		known = v.Outages[len(v.Outages)-1].DeclaredAt
	}
	services := catalog.Names()
	bars := dayBars(v.Outages, services, first, known, now)
	var comps []statusComponent
	overall, affected := stateOperational, map[int][]string{}
	for _, name := range services {
		st := stateOperational
		if s, ok := worst[name]; ok {
			st = s
		}
		overall = min(overall, st)
		affected[st] = append(affected[st], name)
		comps = append(comps, statusComponent{Name: name, State: componentStates[st].State, Class: componentStates[st].Class, Days: bars[name]})
	}
	var summary []string
	for st := stateMajor; st < stateOperational; st++ {
		if len(affected[st]) > 0 {
			summary = append(summary, componentStates[st].State+": "+strings.Join(affected[st], ", "))
		}
	}
	headline := "All systems operational"
	if overall != stateOperational {
		headline = strings.Join(summary, ". ")
	}
	p.render(w, "status", map[string]any{"Title": "Service status", "Headline": headline, "Overall": componentStates[overall].Class,
		"Components": comps, "Incidents": open, "Past": pastIncidents(v, catalog, names), "Days": statusDays, "From": first.Format("Jan 2")})
}

// updateNames names the people and channels the public updates of v name: their writers
// named them for the public, as Slack would show them.
func (p *Pages) updateNames(r *http.Request, v *incident.StatusView) words.Names {
	var typed []words.Sentence
	for _, evs := range v.Updates {
		for _, e := range evs {
			if text, ok := publicText(e); ok && p.Names != nil {
				typed = append(typed, words.Sentence{Parts: []words.Part{{Kind: words.Chat, Value: text}}})
			}
		}
	}
	return p.namesFor(r.Context(), typed)
}

// pastIncidents are the statusPast latest resolved outages of the history, each titled by
// the worst state it put its services in (those that are not confidential).
func pastIncidents(v *incident.StatusView, catalog incident.Catalog, names words.Names) []statusIncident {
	var out []statusIncident
	for i := range v.Outages {
		o := &v.Outages[i]
		if o.Status != incident.StatusResolved || len(out) == statusPast {
			continue
		}
		st := stateOf(o.Severity)
		for _, s := range o.Spans(o.ResolvedAt) {
			st = min(st, stateOf(s.Severity))
		}
		var public []string
		for _, s := range o.Services {
			if !catalog[s].Confidential {
				public = append(public, s)
			}
		}
		out = append(out, statusIncident{Title: outageTitle(st, public), Status: incident.PublicResolved.Words(),
			Declared: dayHTML(o.DeclaredAt),
			Period:   fmt.Sprintf("%s to %s UTC (%s)", shortTime(o.DeclaredAt), shortTime(o.ResolvedAt), shortDuration(o.ResolvedAt.Sub(o.DeclaredAt))),
			Updates:  publicUpdates(v.Updates[o.ID], names)})
	}
	return out
}

// outageTitle is what an incident is called in public: its state and its services.
func outageTitle(state int, services []string) string {
	title := componentStates[state].State
	if len(services) > 0 {
		title += " of " + strings.Join(services, ", ")
	}
	return title
}

// publicUpdates are the updates of evs posted for the status page, in order.
func publicUpdates(evs []incident.TimelineEvent, names words.Names) []statusUpdate {
	var out []statusUpdate
	for _, e := range evs {
		if text, ok := publicText(e); ok {
			out = append(out, statusUpdate{At: dayHTML(e.At), Text: chatHTML(text, names)})
		}
	}
	return out
}

// shortTime is a time as the status page and the dashboard show it: "Nov 26 03:00", UTC.
func shortTime(t time.Time) string { return t.UTC().Format("Jan 2 15:04") }

// publicText returns the text of an update posted for the status page, as typed.
func publicText(e incident.TimelineEvent) (string, bool) {
	if e.Kind != incident.EventStatusUpdate {
		return "", false
	}
	if e.Format != incident.FormatText {
		return e.Data.Text, slices.Contains(e.Data.Audiences, incident.AudienceStatusPage)
	}
	// An update stored by an older release as "[audiences] text".
	if !strings.HasPrefix(e.Text, "[") {
		return "", false
	}
	end := strings.Index(e.Text, "] ")
	if end < 0 {
		return "", false
	}
	audiences := strings.Split(e.Text[1:end], ", ")
	if !slices.Contains(audiences, incident.AudienceStatusPage) {
		return "", false
	}
	return e.Text[end+2:], true
}
