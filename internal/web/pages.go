package web

import (
	"bytes"
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
	// Live tells the browsers showing a page when it changed (GET /events).
	Live  *Live
	tmpl  map[string]*template.Template
	inner *http.ServeMux // the pages without the token's guard, for Live to render them
}

// NewPages parses the templates.
func NewPages(svc *incident.Service, log *slog.Logger) *Pages {
	p := &Pages{Service: svc, Log: log, tmpl: map[string]*template.Template{}}
	for _, name := range []string{"index", "incident", "status"} {
		p.tmpl[name] = parsePage(name)
	}
	p.inner = http.NewServeMux()
	p.register(p.inner, func(h http.HandlerFunc) http.HandlerFunc { return h })
	p.Live = &Live{Changes: svc.LiveChanges, Render: p.renderFor, Log: log}
	return p
}

// Register adds the pages to mux, and their stream of changes (GET /events).
func (p *Pages) Register(mux *http.ServeMux) {
	p.register(mux, p.guard)
	mux.HandleFunc("GET /events", p.events)
}

// register adds the pages to mux, those but the status page behind guard.
func (p *Pages) register(mux *http.ServeMux, guard func(http.HandlerFunc) http.HandlerFunc) {
	mux.HandleFunc("GET /{$}", guard(p.index))
	mux.HandleFunc("GET /incidents/{id}", guard(p.incident))
	mux.HandleFunc("GET /status", p.status)
}

// Close ends the pages' open streams of changes (Live.Close), for a server shutting down.
func (p *Pages) Close() { p.Live.Close() }

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

// render writes the page from template name, with its ETag (a digest of what it shows)
// in its header and on its root element, where the page's script gives it to GET /events.
func (p *Pages) render(w http.ResponseWriter, name string, data any) {
	buf := renderBuffers.Get().(*bytes.Buffer)
	defer renderBuffers.Put(buf)
	buf.Reset()
	if err := p.tmpl[name].ExecuteTemplate(buf, name+".html", data); err != nil {
		p.Log.Error("render page", "page", name, "err", err)
		http.Error(w, "The page could not be rendered; the log says why.", http.StatusInternalServerError)
		return
	}
	writePage(w, buf.Bytes())
}

type row struct {
	ID                                           int64
	Key, Severity, Status, Services, RTO, Impact string
	Title, Commander, Declared                   template.HTML
	Overdue                                      bool
}

// row is an incident as the dashboard shows it; never called for a private incident.

func (p *Pages) row(ctx context.Context, inc *incident.Incident, now time.Time) row {
	cat := p.Service.Catalog()
	commander := words.Commander(inc)
	names := p.namesFor(ctx, []words.Sentence{commander, {Parts: []words.Part{{Kind: words.Chat, Value: inc.Title}}}})
	r := row{ID: inc.ID, Key: inc.Key(), Title: chatHTML(inc.Title, names), Severity: string(inc.Severity), Status: string(inc.Status),
		Services: strings.Join(inc.Services, ", "), Declared: dayHTML(inc.DeclaredAt), Commander: sentenceHTML(commander, names),
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
