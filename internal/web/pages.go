package web

import (
	"context"
	"crypto/subtle"
	"embed"
	"fmt"
	"html/template"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/nephoran/incidentbot/internal/incident"
	"github.com/nephoran/incidentbot/internal/words"
)

//go:embed templates/*.html
var templateFS embed.FS

// Pages serves the read-only dashboard (/ and /incidents/{id}) and the public status page
// (/status). The dashboard never shows a private incident; the status page shows of one
// only the state of its services while it is open, of the others their state, their last
// statusDays days and only the updates posted for them (`update --status-page`), the
// latest statusUpdates of each; never a drill. Each page reads only what it shows: the
// dashboard a page of dashboardPage incidents (Previous and Next for the others), an
// incident's page a window of timelinePage events, the status page the open incidents and
// at most statusOutages of its days. The dashboard's KPIs and its monthly charts are the
// Service's, which it keeps up to date reading only what changed.
type Pages struct {
	// Token, when set, closes the dashboard to those without it: a browser gives it as the
	// Basic password (any user name), a script as "Authorization: Bearer <token>". Empty,
	// the dashboard is read-only and open, like the status page.
	Token   string
	Service *incident.Service
	// Names names chat users and channels on the pages; nil shows their IDs.
	Names Directory
	Log   *slog.Logger
	tmpl  map[string]*template.Template
}

// NewPages parses the templates.
func NewPages(svc *incident.Service, log *slog.Logger) *Pages {
	p := &Pages{Service: svc, Log: log, tmpl: map[string]*template.Template{}}
	for _, name := range []string{"index", "incident", "status"} {
		p.tmpl[name] = template.Must(template.ParseFS(templateFS, "templates/layout.html", "templates/"+name+".html"))
	}
	return p
}

// Register adds the pages to mux.
func (p *Pages) Register(mux *http.ServeMux) {
	mux.HandleFunc("GET /{$}", p.guard(p.index))
	mux.HandleFunc("GET /incidents/{id}", p.guard(p.incident))
	mux.HandleFunc("GET /status", p.status)
}

// guard lets through only requests that carry the dashboard token, if there is one.
func (p *Pages) guard(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if p.Token == "" {
			h(w, r)
			return
		}
		given, ok := "", false
		if _, pass, basic := r.BasicAuth(); basic {
			given, ok = pass, true
		} else if bearer, found := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer "); found {
			given, ok = bearer, true
		}
		if !ok || subtle.ConstantTimeCompare([]byte(given), []byte(p.Token)) != 1 {
			w.Header().Set("WWW-Authenticate", `Basic realm="incidentbot", charset="UTF-8"`)
			WriteError(w, r, p.Log, incident.Errorf(incident.EUNAUTHORIZED, "The dashboard needs its token."))
			return
		}
		h(w, r)
	}
}

func (p *Pages) render(w http.ResponseWriter, name string, data any) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Header().Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'")
	if err := p.tmpl[name].ExecuteTemplate(w, name+".html", data); err != nil {
		p.Log.Error("render page", "page", name, "err", err)
	}
}

type row struct {
	ID                                                     int64
	Key, Severity, Status, Services, RTO, Impact, Declared string
	Title, Commander                                       template.HTML
	Overdue                                                bool
}

// row is an incident as the dashboard shows it; never called for a private incident.

func (p *Pages) row(ctx context.Context, inc *incident.Incident, now time.Time) row {
	cat := p.Service.Catalog()
	commander := words.Commander(inc)
	names := p.namesFor(ctx, []words.Sentence{commander, {Parts: []words.Part{{Kind: words.Chat, Value: inc.Title}}}})
	r := row{ID: inc.ID, Key: inc.Key(), Title: chatHTML(inc.Title, names), Severity: string(inc.Severity), Status: string(inc.Status),
		Services: strings.Join(inc.Services, ", "), Declared: incident.FormatTime(inc.DeclaredAt), Commander: sentenceHTML(commander, names),
		RTO: "-", Impact: "-"}
	if o := inc.ComputeObjectives(cat); o.RTO > 0 {
		deadline := inc.DeclaredAt.Add(o.RTO)
		switch {
		case !inc.MitigatedAt.IsZero():
			r.RTO = fmt.Sprintf("%s of %s", incident.FormatDuration(inc.MitigatedAt.Sub(inc.DeclaredAt)), incident.FormatDuration(o.RTO))
		case now.After(deadline):
			r.RTO, r.Overdue = fmt.Sprintf("overdue by %s (%s)", incident.FormatDuration(now.Sub(deadline)), incident.FormatDuration(o.RTO)), true
		default:
			r.RTO = fmt.Sprintf("%s left of %s", incident.FormatDuration(deadline.Sub(now)), incident.FormatDuration(o.RTO))
		}
	}
	if e := inc.EstimateImpact(cat, now); e.Hourly > 0 {
		r.Impact = fmt.Sprintf("%s (%s/h)", incident.FormatMoney(e.SoFar), incident.FormatMoney(e.Hourly))
	}
	return r
}

// dashboardPage is how many incidents a page of the dashboard lists.
const dashboardPage = 50

// timelinePage is how many events a page of an incident's timeline shows.
const timelinePage = 200

// statusUpdates bounds the updates the status page reads of each incident: the latest.
const statusUpdates = 50

type stepRow struct {
	Ref                                  string // as its card numbers it, such as 1.3
	Phase, Title, Owner, State, Deadline string
	Overdue                              bool
}

func (p *Pages) incident(w http.ResponseWriter, r *http.Request) {
	var inc *incident.Incident
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
	evs := tl.Events
	runs, _ := p.Service.RunsOf(r.Context(), inc.ID)
	said := make([]words.Sentence, len(evs))
	var actors []string
	for i, e := range evs {
		said[i] = words.Event(e)
		actors = append(actors, e.Actor)
	}
	names := p.namesFor(r.Context(), said, actors...)
	var timeline []map[string]any
	for _, e := range evs {
		timeline = append(timeline, map[string]any{"At": incident.FormatTime(e.At), "Actor": actorHTML(e.Actor, names), "Kind": string(e.Kind),
			"Text": EventHTML(e, names)})
	}
	var runViews []map[string]any
	for _, run := range runs {
		var steps []stepRow
		for _, s := range run.Steps {
			dl := s.Deadline(&run)
			steps = append(steps, stepRow{Ref: s.Ref(&run), Phase: s.PhaseName, Title: s.Spec.Title, Owner: s.Spec.Owner.Title(),
				State: strings.ReplaceAll(string(s.State), "_", " "), Deadline: incident.FormatTime(dl), Overdue: !s.State.Finished() && now.After(dl)})
		}
		runViews = append(runViews, map[string]any{"Title": run.Title, "Steps": steps})
	}
	row := p.row(r.Context(), inc, now)
	data := map[string]any{"Title": row.Key, "Incident": row, "Runs": runViews, "Timeline": timeline}
	if tl.Earlier || tl.Later {
		self := "/incidents/" + row.Key
		data["Window"] = fmt.Sprintf("Events %d to %d of %d.", evs[0].Seq, evs[len(evs)-1].Seq, tl.Total)
		if tl.Earlier {
			data["First"], data["Earlier"] = self, fmt.Sprintf("%s?before=%d", self, evs[0].Seq)
		}
		if tl.Later {
			data["Later"], data["Latest"] = fmt.Sprintf("%s?after=%d", self, evs[len(evs)-1].Seq), fmt.Sprintf("%s?before=%d", self, tl.Total+1)
		}
	}
	p.render(w, "incident", data)
}

// timelineWindow reads the window of the timeline a request asks for: ?after=N or
// ?before=N (event numbers); neither, the first events.
func timelineWindow(r *http.Request) (incident.TimelineWindow, bool) {
	w := incident.TimelineWindow{Limit: timelinePage}
	for name, to := range map[string]*int{"after": &w.After, "before": &w.Before} {
		if v := r.URL.Query().Get(name); v != "" {
			n, err := strconv.Atoi(v)
			if err != nil || n < 0 {
				return w, false
			}
			*to = n
		}
	}
	return w, true
}

// parseIncidentNumber reads an incident's number from a path: "42", "INC-42" or "inc-42".
func parseIncidentNumber(s string) (int, bool) {
	if len(s) > 4 && strings.EqualFold(s[:4], "INC-") {
		s = s[4:]
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 || strconv.Itoa(n) != s {
		return 0, false
	}
	return n, true
}
