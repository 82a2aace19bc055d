package testenv

import (
	"encoding/json"
	"fmt"
	"mime"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"
)

// StatuspageKey is the API key the Statuspage fake accepts, and StatuspagePage its page.
const (
	StatuspageKey  = "3c5ae0b4f9d84a7e8b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f708192a3b4c5d6"
	StatuspagePage = "qfn30z5r6s5h"
)

// Statuspage fakes the parts of Atlassian Statuspage's REST API v1 the bot uses, as its
// OpenAPI description documents them: incidents created (POST /pages/{page}/incidents),
// updated (PATCH .../incidents/{id}), read (GET .../incidents/{id}) and listed
// (GET .../incidents/unresolved, paginated), each authenticated with
// "Authorization: OAuth <key>" (401 without it or with another key) on its one page (404
// for another page or an unknown incident), with the API's validation (422): a name on
// create of at most 255 characters, a realtime status (investigating, identified,
// monitoring, resolved), a body of at most 25,000 characters, components and component_ids
// that are the page's with a component status, metadata whose top-level values are
// objects. 401 and 404 answer the documented ErrorEntity {"message": ...}; 422 answers
// {"error": [...]}, the validation list the live API gives. Fail scripts 420, 429 (with
// Retry-After) and 5xx answers.
type Statuspage struct {
	srv        *httptest.Server
	mu         sync.Mutex
	page       string
	components map[string]*SPComponent // by id
	incidents  []*SPIncident
	faults     []Fault
	requests   []SPRequest
	onAnswer   func(r SPRequest)
	now        func() time.Time
}

// SPComponent is a component of the fake's page.
type SPComponent struct {
	ID, Name, Status string
}

// SPIncident is an incident on the fake's page.
type SPIncident struct {
	ID        string
	Name      string
	Status    string
	Shortlink string
	Metadata  map[string]json.RawMessage
	Updates   []SPUpdate // oldest first
	// Components are the ids of the components it affects (component_ids and components).
	Components []string
	CreatedAt  time.Time
	ResolvedAt time.Time
}

// SPUpdate is one of an incident's updates: its status and body, and the component
// statuses it set (id -> status).
type SPUpdate struct {
	ID         string
	Status     string
	Body       string
	Components map[string]string
	CreatedAt  time.Time
}

// SPRequest is a request the fake answered: its method, path (with the query) and status.
type SPRequest struct {
	Method, Path string
	Status       int
}

// NewStatuspage starts a fake serving page StatuspagePage with components (id -> name),
// each operational.
func NewStatuspage(components map[string]string) *Statuspage {
	s := &Statuspage{page: StatuspagePage, components: map[string]*SPComponent{}, now: time.Now}
	for id, name := range components {
		s.components[id] = &SPComponent{ID: id, Name: name, Status: "operational"}
	}
	s.srv = httptest.NewServer(http.HandlerFunc(s.serveHTTP))
	return s
}

// URL is the API base URL (STATUSPAGE_API_URL).
func (s *Statuspage) URL() string { return s.srv.URL + "/v1" }

// Close stops the fake.
func (s *Statuspage) Close() { s.srv.Close() }

// SetClock sets the fake's clock (the times of incidents and updates).
func (s *Statuspage) SetClock(now func() time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.now = now
}

// Fail scripts the answers of the next requests, whatever they are: a Fault's Status
// (420, 429 with RetryAfter seconds, 5xx) instead of the API's answer, in order.
func (s *Statuspage) Fail(faults ...Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = append(s.faults, faults...)
}

// OnAnswer calls fn with each request once it is answered (the answer written, the state
// it changed kept), before the next one is served: a test fails the bot's commit, or
// kills it, right after Statuspage did what it asked. fn must not call the fake.
func (s *Statuspage) OnAnswer(fn func(r SPRequest)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.onAnswer = fn
}

// Requests returns the requests answered so far, in order.
func (s *Statuspage) Requests() []SPRequest {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.requests)
}

// Incidents returns copies of the page's incidents, in the order they were created.
func (s *Statuspage) Incidents() []SPIncident {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]SPIncident, len(s.incidents))
	for i, inc := range s.incidents {
		out[i] = *inc
		out[i].Updates = slices.Clone(inc.Updates)
	}
	return out
}

// StatusHistory returns the statuses of an incident's updates, oldest first.
func (s *Statuspage) StatusHistory(id string) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []string
	if inc := s.find(id); inc != nil {
		for _, u := range inc.Updates {
			out = append(out, u.Status)
		}
	}
	return out
}

// ComponentStatus returns a component's status ("" for no such component).
func (s *Statuspage) ComponentStatus(id string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if c, ok := s.components[id]; ok {
		return c.Status
	}
	return ""
}

func (s *Statuspage) find(id string) *SPIncident {
	for _, inc := range s.incidents {
		if inc.ID == id {
			return inc
		}
	}
	return nil
}

func (s *Statuspage) serveHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	rec := &statusRecorder{ResponseWriter: w}
	s.route(rec, r)
	req := SPRequest{Method: r.Method, Path: r.URL.RequestURI(), Status: rec.status}
	s.requests = append(s.requests, req)
	if s.onAnswer != nil {
		s.onAnswer(req)
	}
}

// route answers r; s.mu is held.
func (s *Statuspage) route(w http.ResponseWriter, r *http.Request) {
	if len(s.faults) > 0 {
		f := s.faults[0]
		s.faults = s.faults[1:]
		if f.RetryAfter > 0 {
			w.Header().Set("Retry-After", strconv.Itoa(f.RetryAfter))
		}
		msg := "Internal server error"
		if f.Status == 420 || f.Status == http.StatusTooManyRequests {
			msg = "Rate limit exceeded"
		}
		spError(w, f.Status, msg)
		return
	}
	if r.Header.Get("Authorization") != "OAuth "+StatuspageKey {
		spError(w, http.StatusUnauthorized, "Could not authenticate")
		return
	}
	rest, ok := strings.CutPrefix(r.URL.Path, "/v1/pages/")
	if !ok {
		spError(w, http.StatusNotFound, "The requested resource could not be found.")
		return
	}
	page, rest, _ := strings.Cut(rest, "/")
	rest = strings.TrimSuffix(rest, ".json")
	if page != s.page {
		spError(w, http.StatusNotFound, "The requested resource could not be found.")
		return
	}
	switch {
	case rest == "incidents" && r.Method == http.MethodPost:
		s.create(w, r)
	case rest == "incidents/unresolved" && r.Method == http.MethodGet:
		s.unresolved(w, r)
	case strings.HasPrefix(rest, "incidents/") && !strings.Contains(rest[len("incidents/"):], "/"):
		inc := s.find(rest[len("incidents/"):])
		switch {
		case inc == nil:
			spError(w, http.StatusNotFound, "The requested resource could not be found.")
		case r.Method == http.MethodGet:
			spJSON(w, http.StatusOK, s.render(inc))
		case r.Method == http.MethodPatch || r.Method == http.MethodPut:
			s.update(w, r, inc)
		default:
			spError(w, http.StatusMethodNotAllowed, "Method not allowed")
		}
	default:
		spError(w, http.StatusNotFound, "The requested resource could not be found.")
	}
}

// spBody is the incident object of a create or update.
type spBody struct {
	Name                 *string                    `json:"name"`
	Status               *string                    `json:"status"`
	Body                 *string                    `json:"body"`
	Components           map[string]string          `json:"components"`
	ComponentIDs         []string                   `json:"component_ids"`
	DeliverNotifications *bool                      `json:"deliver_notifications"`
	Metadata             map[string]json.RawMessage `json:"metadata"`
}

// decode reads and validates the incident object; it answers the refusal itself.
func (s *Statuspage) decode(w http.ResponseWriter, r *http.Request, create bool) (*spBody, bool) {
	if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt != "application/json" {
		spError(w, http.StatusBadRequest, "Content-Type must be application/json for a JSON body")
		return nil, false
	}
	var req struct {
		Incident *spBody `json:"incident"`
	}
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil || req.Incident == nil {
		spError(w, http.StatusBadRequest, "The body must be a JSON object with an incident")
		return nil, false
	}
	b := req.Incident
	var errs []string
	switch {
	case create && (b.Name == nil || strings.TrimSpace(*b.Name) == ""):
		errs = append(errs, "Name can't be blank")
	case b.Name != nil && utf8.RuneCountInString(*b.Name) > 255:
		errs = append(errs, "Name is too long (maximum is 255 characters)")
	}
	if b.Status != nil && !slices.Contains([]string{"investigating", "identified", "monitoring", "resolved"}, *b.Status) {
		errs = append(errs, fmt.Sprintf("Status %q is not a realtime incident status", *b.Status))
	}
	if b.Body != nil && utf8.RuneCountInString(*b.Body) > 25000 {
		errs = append(errs, "Body is too long (maximum is 25000 characters)")
	}
	for id, st := range b.Components {
		if _, ok := s.components[id]; !ok {
			errs = append(errs, fmt.Sprintf("Component %s is not a component of this page", id))
		}
		if !slices.Contains([]string{"operational", "under_maintenance", "degraded_performance", "partial_outage", "major_outage"}, st) {
			errs = append(errs, fmt.Sprintf("Component status %q is not a component status", st))
		}
	}
	for _, id := range b.ComponentIDs {
		if _, ok := s.components[id]; !ok {
			errs = append(errs, fmt.Sprintf("Component %s is not a component of this page", id))
		}
	}
	for k, v := range b.Metadata {
		if t := strings.TrimSpace(string(v)); !strings.HasPrefix(t, "{") {
			errs = append(errs, fmt.Sprintf("Metadata %s must be an object", k))
		}
	}
	if len(errs) > 0 {
		slices.Sort(errs)
		errs = slices.Compact(errs)
		spJSON(w, http.StatusUnprocessableEntity, map[string]any{"error": errs})
		return nil, false
	}
	return b, true
}

func (s *Statuspage) create(w http.ResponseWriter, r *http.Request) {
	b, ok := s.decode(w, r, true)
	if !ok {
		return
	}
	n := len(s.incidents) + 1
	now := s.now().UTC()
	inc := &SPIncident{ID: fmt.Sprintf("inc%09d", n), Name: *b.Name, Status: "investigating",
		Shortlink: fmt.Sprintf("http://stspg.io/%09d", n), Metadata: b.Metadata, CreatedAt: now}
	s.incidents = append(s.incidents, inc)
	s.apply(inc, b, now)
	spJSON(w, http.StatusCreated, s.render(inc))
}

func (s *Statuspage) update(w http.ResponseWriter, r *http.Request, inc *SPIncident) {
	b, ok := s.decode(w, r, false)
	if !ok {
		return
	}
	if b.Name != nil {
		inc.Name = *b.Name
	}
	if b.Metadata != nil {
		inc.Metadata = b.Metadata
	}
	s.apply(inc, b, s.now().UTC())
	spJSON(w, http.StatusOK, s.render(inc))
}

// apply sets the status and components b gives and records the incident update they make
// (a new status or a body makes one, as on Statuspage).
func (s *Statuspage) apply(inc *SPIncident, b *spBody, now time.Time) {
	changed := b.Body != nil && *b.Body != ""
	if b.Status != nil && *b.Status != inc.Status {
		inc.Status, changed = *b.Status, true
	}
	if inc.Status == "resolved" && inc.ResolvedAt.IsZero() {
		inc.ResolvedAt = now
	}
	set := map[string]string{}
	for id, st := range b.Components {
		s.components[id].Status, set[id] = st, st
		if !slices.Contains(inc.Components, id) {
			inc.Components = append(inc.Components, id)
		}
	}
	for _, id := range b.ComponentIDs {
		if !slices.Contains(inc.Components, id) {
			inc.Components = append(inc.Components, id)
		}
	}
	if !changed && len(set) == 0 {
		return
	}
	u := SPUpdate{ID: fmt.Sprintf("upd%09d", len(inc.Updates)+1+100*len(s.incidents)), Status: inc.Status, Components: set, CreatedAt: now}
	if b.Body != nil {
		u.Body = *b.Body
	}
	inc.Updates = append(inc.Updates, u)
}

func (s *Statuspage) unresolved(w http.ResponseWriter, r *http.Request) {
	page, perPage := 1, 100
	if v, err := strconv.Atoi(r.URL.Query().Get("page")); err == nil && v > 0 {
		page = v
	}
	if v, err := strconv.Atoi(r.URL.Query().Get("per_page")); err == nil && v > 0 && v <= 100 {
		perPage = v
	}
	var open []map[string]any
	for i := len(s.incidents) - 1; i >= 0; i-- { // newest first
		if s.incidents[i].Status != "resolved" {
			open = append(open, s.render(s.incidents[i]))
		}
	}
	from := min((page-1)*perPage, len(open))
	spJSON(w, http.StatusOK, append([]map[string]any{}, open[from:min(from+perPage, len(open))]...))
}

// render is an incident as the API answers it: its updates newest first, its components.
func (s *Statuspage) render(inc *SPIncident) map[string]any {
	var updates []map[string]any
	for i := len(inc.Updates) - 1; i >= 0; i-- {
		u := inc.Updates[i]
		updates = append(updates, map[string]any{"id": u.ID, "incident_id": inc.ID, "status": u.Status, "body": u.Body,
			"created_at": u.CreatedAt.Format(time.RFC3339Nano), "display_at": u.CreatedAt.Format(time.RFC3339Nano)})
	}
	var comps []map[string]any
	for _, id := range inc.Components {
		c := s.components[id]
		comps = append(comps, map[string]any{"id": c.ID, "name": c.Name, "status": c.Status, "page_id": s.page})
	}
	out := map[string]any{"id": inc.ID, "page_id": s.page, "name": inc.Name, "status": inc.Status, "shortlink": inc.Shortlink,
		"metadata": inc.Metadata, "incident_updates": updates, "components": comps, "created_at": inc.CreatedAt.Format(time.RFC3339Nano)}
	if !inc.ResolvedAt.IsZero() {
		out["resolved_at"] = inc.ResolvedAt.Format(time.RFC3339Nano)
	}
	return out
}

// spError answers the documented ErrorEntity.
func spError(w http.ResponseWriter, status int, msg string) {
	spJSON(w, status, map[string]string{"message": msg})
}

func spJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

// statusRecorder keeps the status a handler answered.
type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (r *statusRecorder) WriteHeader(code int) {
	r.status = code
	r.ResponseWriter.WriteHeader(code)
}
