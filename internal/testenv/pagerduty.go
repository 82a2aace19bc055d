package testenv

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"time"
	"unicode/utf8"
)

// Credentials the PagerDuty fake accepts.
const (
	PagerDutyToken      = "u+pdtesttoken0000000"
	PagerDutyFrom       = "incidentbot@example.com"
	PagerDutyRoutingKey = "R0UT1NGKEY0000000000000000000000" // 32 characters, like a real one
)

// PagerDuty fakes the REST API (incidents, notes, on-calls, users) and the Events API v2
// with PagerDuty's validation: the Token auth header, the From header on writes, a 400 for
// a second open incident with the same incident_key, and scripted faults such as 429 with
// ratelimit-reset.
type PagerDuty struct {
	srv *httptest.Server
	mu  sync.Mutex

	users     map[string]PDUser   // by ID
	policies  map[string][]string // escalation policy -> on-call user IDs
	schedules map[string][]string // schedule -> on-call user IDs
	services  map[string]bool
	incidents []*PDIncident
	events    []PDEvent
	calls     []PDCall
	faults    map[string][]Fault // by "METHOD /path"
	nextID    int
}

// PDUser is a PagerDuty user.
type PDUser struct{ ID, Name, Email string }

// PDIncident is an incident in the fake.
type PDIncident struct {
	ID, Title, Status, IncidentKey, Urgency, Service, EscalationPolicy string
	Number                                                             int
	Assignees                                                          []string
	Body                                                               string
	Notes                                                              []string
}

// PDEvent is an Events API v2 event the fake accepted.
type PDEvent struct {
	RoutingKey, Action, DedupKey, Summary, Severity string
}

// PDCall records one request.
type PDCall struct {
	Method, Path, From string
	Body               json.RawMessage
}

// NewPagerDuty starts a fake with a service PSVC001, escalation policies PIC0001 and
// PTL0001, a schedule PCOMMS1, and their on-call users.
func NewPagerDuty() *PagerDuty {
	p := &PagerDuty{
		users:     map[string]PDUser{},
		policies:  map[string][]string{},
		schedules: map[string][]string{},
		services:  map[string]bool{"PSVC001": true, "PSVC002": true},
		faults:    map[string][]Fault{},
	}
	p.AddUser(PDUser{ID: "PUALICE", Name: "Alice", Email: "alice@example.com"})
	p.AddUser(PDUser{ID: "PUBOB", Name: "Bob", Email: "bob@example.com"})
	p.AddUser(PDUser{ID: "PUCAROL", Name: "Carol", Email: "carol@example.com"})
	p.SetOnCall("PIC0001", "", "PUALICE")
	p.SetOnCall("PTL0001", "", "PUBOB")
	p.SetOnCall("", "PCOMMS1", "PUCAROL")
	p.srv = httptest.NewServer(http.HandlerFunc(p.serveHTTP))
	return p
}

// URL is the REST base URL (PAGERDUTY_API_URL).
func (p *PagerDuty) URL() string { return p.srv.URL }

// EventsURL is the Events API v2 base URL (PAGERDUTY_EVENTS_URL); events go to /v2/enqueue under it.
func (p *PagerDuty) EventsURL() string { return p.srv.URL }

// Close stops the fake.
func (p *PagerDuty) Close() { p.srv.Close() }

// AddUser adds a user.
func (p *PagerDuty) AddUser(u PDUser) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.users[u.ID] = u
}

// SetOnCall puts users on call for an escalation policy or a schedule.
func (p *PagerDuty) SetOnCall(policy, schedule string, users ...string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if policy != "" {
		p.policies[policy] = users
	}
	if schedule != "" {
		p.schedules[schedule] = users
	}
}

// Fail scripts failures for the next requests to "METHOD /path", such as "POST /incidents".
func (p *PagerDuty) Fail(route string, faults ...Fault) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.faults[route] = append(p.faults[route], faults...)
}

// Incidents returns copies of the incidents created so far.
func (p *PagerDuty) Incidents() []PDIncident {
	p.mu.Lock()
	defer p.mu.Unlock()
	out := make([]PDIncident, len(p.incidents))
	for i, inc := range p.incidents {
		out[i] = *inc
		out[i].Notes = append([]string(nil), inc.Notes...)
	}
	return out
}

// Events returns the Events API events accepted so far.
func (p *PagerDuty) Events() []PDEvent {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]PDEvent(nil), p.events...)
}

// Calls returns the requests made to route ("" for all), such as "POST /incidents".
func (p *PagerDuty) Calls(route string) []PDCall {
	p.mu.Lock()
	defer p.mu.Unlock()
	var out []PDCall
	for _, c := range p.calls {
		if route == "" || c.Method+" "+c.Path == route {
			out = append(out, c)
		}
	}
	return out
}

// AddIncident creates an incident as if PagerDuty's own integrations had (for webhooks).
func (p *PagerDuty) AddIncident(title, service, urgency string) PDIncident {
	p.mu.Lock()
	defer p.mu.Unlock()
	inc := p.newIncident(title, service, urgency, "")
	return *inc
}

func (p *PagerDuty) newIncident(title, service, urgency, key string) *PDIncident {
	p.nextID++
	inc := &PDIncident{ID: fmt.Sprintf("Q%06d", p.nextID), Number: p.nextID, Title: title, Status: "triggered",
		IncidentKey: key, Urgency: urgency, Service: service}
	p.incidents = append(p.incidents, inc)
	return inc
}

func (p *PagerDuty) incidentJSON(inc *PDIncident) map[string]any {
	var assignments []map[string]any
	for _, a := range inc.Assignees {
		assignments = append(assignments, map[string]any{"assignee": map[string]any{"id": a, "type": "user_reference"}})
	}
	return map[string]any{"id": inc.ID, "type": "incident", "incident_number": inc.Number, "title": inc.Title,
		"status": inc.Status, "incident_key": inc.IncidentKey, "urgency": inc.Urgency,
		"html_url":          "https://example.pagerduty.com/incidents/" + inc.ID,
		"service":           map[string]any{"id": inc.Service, "type": "service_reference"},
		"escalation_policy": map[string]any{"id": inc.EscalationPolicy, "type": "escalation_policy_reference"},
		"assignments":       assignments}
}

func pdError(w http.ResponseWriter, status, code int, message string, errs ...string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(map[string]any{"error": map[string]any{"message": message, "code": code, "errors": errs}})
}

func (p *PagerDuty) serveHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	path := r.URL.Path
	route := r.Method + " " + path
	if strings.HasPrefix(path, "/incidents/") && strings.HasSuffix(path, "/notes") {
		route = r.Method + " /incidents/{id}/notes"
	}
	p.mu.Lock()
	p.calls = append(p.calls, PDCall{Method: r.Method, Path: path, From: r.Header.Get("From"), Body: body})
	fault, faulted := p.nextFault(route)
	p.mu.Unlock()
	if faulted {
		if fault.Status == http.StatusTooManyRequests {
			w.Header().Set("ratelimit-reset", fmt.Sprint(fault.RetryAfter))
			pdError(w, 429, 2020, "Rate Limit Exceeded")
			return
		}
		w.WriteHeader(fault.Status)
		return
	}
	if path == "/v2/enqueue" {
		p.enqueue(w, body)
		return
	}
	if r.Header.Get("Authorization") != "Token token="+PagerDutyToken {
		pdError(w, 401, 2006, "Unauthorized")
		return
	}
	if r.Method != http.MethodGet && r.Header.Get("From") == "" {
		pdError(w, 400, 2001, "Invalid Input Provided", "You must specify a user's email address in the \"From\" header to perform this action")
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	switch {
	case route == "POST /incidents":
		p.createIncident(w, body)
	case route == "GET /incidents":
		var out []map[string]any
		for _, inc := range p.incidents {
			if key := r.URL.Query().Get("incident_key"); key == "" || inc.IncidentKey == key {
				out = append(out, p.incidentJSON(inc))
			}
		}
		writeJSON(w, map[string]any{"incidents": out, "limit": 25, "offset": 0, "more": false})
	case route == "PUT /incidents":
		p.manageIncidents(w, body)
	case route == "POST /incidents/{id}/notes":
		p.addNote(w, strings.Split(path, "/")[2], body, r.Header.Get("From"))
	case route == "GET /incidents/{id}/notes":
		p.listNotes(w, strings.Split(path, "/")[2])
	case route == "GET /oncalls":
		p.onCalls(w, r)
	case route == "GET /users":
		var out []map[string]any
		q := strings.ToLower(r.URL.Query().Get("query"))
		for _, u := range p.users {
			if strings.Contains(strings.ToLower(u.Email), q) || strings.Contains(strings.ToLower(u.Name), q) {
				out = append(out, map[string]any{"id": u.ID, "name": u.Name, "email": u.Email, "type": "user"})
			}
		}
		writeJSON(w, map[string]any{"users": out, "limit": 25, "offset": 0, "more": false})
	default:
		pdError(w, 404, 2100, "Not Found")
	}
}

func (p *PagerDuty) nextFault(route string) (Fault, bool) {
	q := p.faults[route]
	if len(q) == 0 {
		return Fault{}, false
	}
	p.faults[route] = q[1:]
	return q[0], true
}

func (p *PagerDuty) createIncident(w http.ResponseWriter, body []byte) {
	var req struct {
		Incident struct {
			Type    string `json:"type"`
			Title   string `json:"title"`
			Urgency string `json:"urgency"`
			Key     string `json:"incident_key"`
			Service *struct {
				ID   string `json:"id"`
				Type string `json:"type"`
			} `json:"service"`
			EscalationPolicy *struct {
				ID   string `json:"id"`
				Type string `json:"type"`
			} `json:"escalation_policy"`
			Assignments []struct {
				Assignee struct {
					ID   string `json:"id"`
					Type string `json:"type"`
				} `json:"assignee"`
			} `json:"assignments"`
			Body *struct {
				Details string `json:"details"`
			} `json:"body"`
		} `json:"incident"`
	}
	if err := json.Unmarshal(body, &req); err != nil {
		pdError(w, 400, 2001, "Invalid Input Provided", err.Error())
		return
	}
	in := req.Incident
	var errs []string
	switch {
	case in.Type != "incident":
		errs = append(errs, "Incident type must be incident")
	case in.Title == "" || utf8.RuneCountInString(in.Title) > 255:
		errs = append(errs, "Title must be 1 to 255 characters")
	case in.Service == nil || !p.services[in.Service.ID] || in.Service.Type != "service_reference":
		errs = append(errs, "Service not found")
	case in.Urgency != "" && in.Urgency != "high" && in.Urgency != "low":
		errs = append(errs, "Urgency must be high or low")
	case in.EscalationPolicy != nil && p.policies[in.EscalationPolicy.ID] == nil:
		errs = append(errs, "Escalation Policy not found")
	case len(in.Key) > 255:
		errs = append(errs, "Incident key must be at most 255 characters")
	}
	for _, a := range in.Assignments {
		if _, ok := p.users[a.Assignee.ID]; !ok {
			errs = append(errs, "Assignee not found")
		}
	}
	if in.Key != "" {
		for _, inc := range p.incidents {
			if inc.IncidentKey == in.Key && inc.Status != "resolved" {
				errs = append(errs, fmt.Sprintf("Open incident with key '%s' already exists.", in.Key))
			}
		}
	}
	if len(errs) > 0 {
		pdError(w, 400, 2001, "Invalid Input Provided", errs...)
		return
	}
	urgency := in.Urgency
	if urgency == "" {
		urgency = "high"
	}
	inc := p.newIncident(in.Title, in.Service.ID, urgency, in.Key)
	if in.EscalationPolicy != nil {
		inc.EscalationPolicy = in.EscalationPolicy.ID
		inc.Assignees = p.policies[inc.EscalationPolicy]
	}
	for _, a := range in.Assignments {
		inc.Assignees = append(inc.Assignees, a.Assignee.ID)
	}
	if in.Body != nil {
		inc.Body = in.Body.Details
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusCreated)
	json.NewEncoder(w).Encode(map[string]any{"incident": p.incidentJSON(inc)})
}

func (p *PagerDuty) find(id string) *PDIncident {
	for _, inc := range p.incidents {
		if inc.ID == id {
			return inc
		}
	}
	return nil
}

func (p *PagerDuty) manageIncidents(w http.ResponseWriter, body []byte) {
	var req struct {
		Incidents []struct {
			ID     string `json:"id"`
			Type   string `json:"type"`
			Status string `json:"status"`
		} `json:"incidents"`
	}
	if err := json.Unmarshal(body, &req); err != nil || len(req.Incidents) == 0 {
		pdError(w, 400, 2001, "Invalid Input Provided")
		return
	}
	var out []map[string]any
	for _, r := range req.Incidents {
		inc := p.find(r.ID)
		if inc == nil {
			pdError(w, 404, 2100, "Not Found")
			return
		}
		if r.Status != "" && r.Status != "acknowledged" && r.Status != "resolved" {
			pdError(w, 400, 2001, "Invalid Input Provided", "Status must be acknowledged or resolved")
			return
		}
		if inc.Status == "resolved" && r.Status != "" {
			pdError(w, 400, 2001, "Invalid Input Provided", "Incident Already Resolved")
			return
		}
		if r.Status != "" {
			inc.Status = r.Status
		}
		out = append(out, p.incidentJSON(inc))
	}
	writeJSON(w, map[string]any{"incidents": out})
}

func (p *PagerDuty) addNote(w http.ResponseWriter, id string, body []byte, from string) {
	inc := p.find(id)
	if inc == nil {
		pdError(w, 404, 2100, "Not Found")
		return
	}
	var req struct {
		Note struct {
			Content string `json:"content"`
		} `json:"note"`
	}
	if json.Unmarshal(body, &req) != nil || req.Note.Content == "" || utf8.RuneCountInString(req.Note.Content) > 25000 {
		pdError(w, 400, 2001, "Invalid Input Provided", "Note content must be 1 to 25000 characters")
		return
	}
	inc.Notes = append(inc.Notes, req.Note.Content)
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusCreated)
	json.NewEncoder(w).Encode(map[string]any{"note": map[string]any{"id": fmt.Sprintf("N%d", len(inc.Notes)), "content": req.Note.Content,
		"user": map[string]any{"summary": from}, "created_at": time.Now().UTC().Format(time.RFC3339)}})
}

func (p *PagerDuty) listNotes(w http.ResponseWriter, id string) {
	inc := p.find(id)
	if inc == nil {
		pdError(w, 404, 2100, "Not Found")
		return
	}
	var notes []map[string]any
	for i, n := range inc.Notes {
		notes = append(notes, map[string]any{"id": fmt.Sprintf("N%d", i+1), "content": n})
	}
	writeJSON(w, map[string]any{"notes": notes})
}

func (p *PagerDuty) onCalls(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	withUsers := false
	for _, inc := range q["include[]"] {
		withUsers = withUsers || inc == "users"
	}
	var out []map[string]any
	add := func(users []string, policy, schedule string) {
		for _, id := range users {
			u := p.users[id]
			user := map[string]any{"id": u.ID, "type": "user_reference", "summary": u.Name}
			if withUsers {
				user = map[string]any{"id": u.ID, "type": "user", "name": u.Name, "email": u.Email}
			}
			out = append(out, map[string]any{"user": user, "escalation_level": 1,
				"escalation_policy": map[string]any{"id": policy}, "schedule": map[string]any{"id": schedule}})
		}
	}
	for _, id := range q["escalation_policy_ids[]"] {
		add(p.policies[id], id, "")
	}
	for _, id := range q["schedule_ids[]"] {
		add(p.schedules[id], "", id)
	}
	writeJSON(w, map[string]any{"oncalls": out, "limit": 25, "offset": 0, "more": false})
}

// enqueue is the Events API v2: validated, then 202.
func (p *PagerDuty) enqueue(w http.ResponseWriter, body []byte) {
	var ev struct {
		RoutingKey string `json:"routing_key"`
		Action     string `json:"event_action"`
		DedupKey   string `json:"dedup_key"`
		Payload    *struct {
			Summary  string `json:"summary"`
			Source   string `json:"source"`
			Severity string `json:"severity"`
		} `json:"payload"`
	}
	invalid := func(msg string) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusBadRequest)
		json.NewEncoder(w).Encode(map[string]any{"status": "invalid event", "message": "Event object is invalid", "errors": []string{msg}})
	}
	if err := json.Unmarshal(body, &ev); err != nil {
		invalid("Malformed JSON")
		return
	}
	switch {
	case len(ev.RoutingKey) != 32:
		invalid("'routing_key' is invalid")
		return
	case ev.Action != "trigger" && ev.Action != "acknowledge" && ev.Action != "resolve":
		invalid("'event_action' is invalid")
		return
	case len(ev.DedupKey) > 255:
		invalid("'dedup_key' must be at most 255 characters")
		return
	case ev.Action == "trigger" && (ev.Payload == nil || ev.Payload.Summary == "" || ev.Payload.Source == ""):
		invalid("'payload.summary' and 'payload.source' are required")
		return
	case ev.Action == "trigger" && utf8.RuneCountInString(ev.Payload.Summary) > 1024:
		invalid("'payload.summary' must be at most 1024 characters")
		return
	case ev.Action == "trigger" && !strings.Contains(" critical error warning info ", " "+ev.Payload.Severity+" "):
		invalid("'payload.severity' is invalid")
		return
	case ev.Action != "trigger" && ev.DedupKey == "":
		invalid("'dedup_key' is required to acknowledge or resolve")
		return
	}
	p.mu.Lock()
	e := PDEvent{RoutingKey: ev.RoutingKey, Action: ev.Action, DedupKey: ev.DedupKey}
	if ev.Payload != nil {
		e.Summary, e.Severity = ev.Payload.Summary, ev.Payload.Severity
	}
	if e.DedupKey == "" {
		e.DedupKey = fmt.Sprintf("dedup-%d", len(p.events)+1)
	}
	p.events = append(p.events, e)
	p.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusAccepted)
	json.NewEncoder(w).Encode(map[string]any{"status": "success", "message": "Event processed", "dedup_key": e.DedupKey})
}

// SignPagerDuty computes an X-PagerDuty-Signature value (v1) for body, as PagerDuty does.
func SignPagerDuty(secret string, body []byte) string {
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write(body)
	return "v1=" + hex.EncodeToString(mac.Sum(nil))
}

// PagerDutyWebhookSecret is the webhook signing secret tests share with the bot.
const PagerDutyWebhookSecret = "whsec-test-0123456789abcdef"

// WebhookBody builds a V3 webhook body for an event about inc, as PagerDuty sends it.
func WebhookBody(eventID, eventType, agent string, inc PDIncident, priority string) []byte {
	return WebhookBodyAt(eventID, eventType, PDUser{ID: "PUALICE", Name: agent}, inc, priority, time.Date(2026, 11, 26, 3, 2, 0, 0, time.UTC))
}

// WebhookBodyAt is WebhookBody for an event by agent that occurred at a given time (the
// incident created two minutes before).
func WebhookBodyAt(eventID, eventType string, agent PDUser, inc PDIncident, priority string, at time.Time) []byte {
	data := map[string]any{
		"id": inc.ID, "type": "incident", "number": inc.Number, "status": inc.Status, "incident_key": inc.IncidentKey,
		"title": inc.Title, "html_url": "https://example.pagerduty.com/incidents/" + inc.ID, "urgency": inc.Urgency,
		"service":           map[string]any{"id": inc.Service, "type": "service_reference", "summary": "Service " + inc.Service},
		"escalation_policy": map[string]any{"id": inc.EscalationPolicy},
		"assignees":         []any{}, "teams": []any{}, "created_at": at.Add(-2 * time.Minute).UTC().Format(time.RFC3339),
	}
	if priority != "" {
		data["priority"] = map[string]any{"id": "PRIO" + priority, "summary": priority, "type": "priority_reference"}
	}
	body, _ := json.Marshal(map[string]any{"event": map[string]any{
		"id": eventID, "event_type": eventType, "resource_type": "incident", "occurred_at": at.UTC().Format("2006-01-02T15:04:05.000Z"),
		"agent": map[string]any{"id": agent.ID, "summary": agent.Name, "type": "user_reference"}, "client": nil, "data": data,
	}})
	return body
}

// SendWebhook posts a signed webhook body to url with the given X-Webhook-Id.
func SendWebhook(client *http.Client, url, secret, deliveryID string, body []byte) (int, error) {
	req, err := http.NewRequest(http.MethodPost, url, strings.NewReader(string(body)))
	if err != nil {
		return 0, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Webhook-Id", deliveryID)
	req.Header.Set("X-PagerDuty-Signature", SignPagerDuty(secret, body))
	if client == nil {
		client = http.DefaultClient
	}
	resp, err := client.Do(req)
	if err != nil {
		return 0, err
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode, nil
}
