package web

import (
	"fmt"
	"html/template"
	"net/http"
	"strings"

	"github.com/nephoran/incidentbot/internal/incident"
	"github.com/nephoran/incidentbot/internal/words"
)

// incident serves an incident's page: its clocks against their targets, each playbook
// phase against its window with its steps' states, who holds each role, the pages sent
// and who acknowledged them, and a window of its timeline, people and channels by name.
func (p *Pages) incident(w http.ResponseWriter, r *http.Request) {
	n, ok := parseIncidentNumber(r.PathValue("id"))
	if !ok {
		WriteError(w, r, p.Log, incident.Errorf(incident.ENOTFOUND, "There is no incident %s.", incident.Quote(r.PathValue("id"))))
		return
	}
	inc, err := p.Service.FindIncidentByNumber(r.Context(), n)
	if err != nil {
		WriteError(w, r, p.Log, err)
		return
	}
	if inc.Private { // as if it did not exist
		WriteError(w, r, p.Log, incident.Errorf(incident.ENOTFOUND, "There is no incident INC-%d.", n))
		return
	}
	shown(r.Context(), inc.ID)
	now := p.Service.Now()
	win, ok := timelineWindow(r)
	if !ok {
		WriteError(w, r, p.Log, incident.Errorf(incident.EINVALID, "Give after or before as an event number."))
		return
	}
	tl, err := p.Service.TimelineRange(r.Context(), inc.ID, win)
	if err != nil {
		WriteError(w, r, p.Log, err)
		return
	}
	// The bot's housekeeping (cards posted, notes copied to PagerDuty, topics set) is left
	// out unless asked for, as in the review: people read what happened.
	all := r.URL.Query().Get("all") == "1"
	evs, hidden := tl.Events, 0
	if !all {
		evs, hidden = withoutHousekeeping(tl.Events)
	}
	runs, err := p.Service.RunsOf(r.Context(), inc.ID)
	if err != nil {
		WriteError(w, r, p.Log, err)
		return
	}
	sent, err := p.Service.PagesOf(r.Context(), inc.ID)
	if err != nil {
		WriteError(w, r, p.Log, err)
		return
	}
	said := make([]words.Sentence, len(evs))
	actors := []string{inc.Commander}
	for i, e := range evs {
		said[i] = words.Event(e)
		actors = append(actors, e.Actor)
	}
	for _, role := range incident.CrisisRoles {
		actors = append(actors, inc.Holder(role), inc.Roles[role].OnCall)
	}
	for _, run := range runs {
		actors = append(actors, run.StartedBy)
	}
	names := p.namesFor(r.Context(), said, actors...)
	var timeline []map[string]any
	for i, e := range evs {
		timeline = append(timeline, map[string]any{"At": clockHTML(e.At), "Actor": actorHTML(e.Actor, names),
			"Kind": strings.ReplaceAll(string(e.Kind), "_", " "), "Text": sentenceHTML(said[i], names)})
	}
	var runViews []runView
	for i := range runs {
		runViews = append(runViews, viewRun(&runs[i], now, names))
	}
	row := p.row(r.Context(), inc, now)
	cat := p.Service.Catalog()
	data := map[string]any{"Title": row.Key + " " + words.PlainText(words.Sentence{Parts: []words.Part{{Kind: words.Chat, Value: inc.Title}}}, names),
		"Incident": row, "Drill": inc.Drill, "Clocks": clocks(inc, inc.ComputeObjectives(cat), now),
		"Roles": roleRows(inc, names), "Pages": pageRows(sent), "Runs": runViews, "Timeline": timeline}
	self := "/incidents/" + row.Key
	keep := "" // the query that keeps the housekeeping shown, on the window's links
	switch {
	case all:
		keep = "&all=1"
		data["Housekeeping"], data["HousekeepingLink"] = "Hide the bot's housekeeping", self
	case hidden > 0:
		data["Housekeeping"], data["HousekeepingLink"] = fmt.Sprintf("Show the bot's housekeeping too (%d events)", hidden), self+"?all=1"
	}
	if (tl.Earlier || tl.Later) && len(tl.Events) > 0 {
		first, last := tl.Events[0].Seq, tl.Events[len(tl.Events)-1].Seq
		data["Window"] = fmt.Sprintf("Events %d to %d of %d.", first, last, tl.Total)
		if tl.Earlier {
			data["First"], data["Earlier"] = self+strings.Replace(keep, "&", "?", 1), fmt.Sprintf("%s?before=%d%s", self, first, keep)
		}
		if tl.Later {
			data["Later"], data["Latest"] = fmt.Sprintf("%s?after=%d%s", self, last, keep), fmt.Sprintf("%s?before=%d%s", self, tl.Total+1, keep)
		}
	}
	p.render(w, "incident", data)
}

// roleRow is a crisis role and who holds it.
type roleRow struct {
	Role           string
	Holder, OnCall template.HTML // "" when unfilled, unknown
}

func roleRows(inc *incident.Incident, names words.Names) []roleRow {
	var out []roleRow
	for _, role := range incident.CrisisRoles {
		rr := roleRow{Role: role.Title()}
		if h := inc.Holder(role); h != "" {
			rr.Holder = actorHTML(h, names)
		}
		if oc := inc.Roles[role].OnCall; oc != "" && oc != inc.Holder(role) {
			rr.OnCall = actorHTML(oc, names)
		}
		out = append(out, rr)
	}
	return out
}

// pageRow is a page sent, and its acknowledgement.
type pageRow struct {
	Who, Status, AckedBy, URL string
	Sent, AckedAt             template.HTML
	Acked                     bool
}

func pageRows(pages []incident.Page) []pageRow {
	var out []pageRow
	for _, pg := range pages {
		who := "a person"
		if pg.Role != "" {
			who = pg.Role.Title()
		}
		if t := pg.Target.String(); t != "" {
			who += " (" + t + ")"
		}
		pr := pageRow{Who: who, Status: pg.Status, AckedBy: pg.AckedBy, Sent: clockHTML(pg.CreatedAt), AckedAt: clockHTML(pg.AckedAt),
			Acked: !pg.AckedAt.IsZero() || pg.Status == "acknowledged"}
		if strings.HasPrefix(pg.URL, "https://") || strings.HasPrefix(pg.URL, "http://") {
			pr.URL = pg.URL
		}
		out = append(out, pr)
	}
	return out
}

// withoutHousekeeping is evs without the bot's housekeeping, and how many it left out.
func withoutHousekeeping(evs []incident.TimelineEvent) ([]incident.TimelineEvent, int) {
	var out []incident.TimelineEvent
	for _, e := range evs {
		if !e.Kind.Housekeeping() {
			out = append(out, e)
		}
	}
	return out, len(evs) - len(out)
}
