// Package pagerduty implements incidentbot's Pager port over go-pagerduty (REST API and
// Events API v2), and verifies and decodes PagerDuty's V3 webhooks.
package pagerduty

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/PagerDuty/go-pagerduty"
	"github.com/nephoran/incidentbot/internal/httpgate"
	"github.com/nephoran/incidentbot/internal/incident"
)

// Pager is the Pager port over PagerDuty.
type Pager struct {
	client *pagerduty.Client
	from   string // the email in the From header of writes
	now    func() time.Time

	mu    sync.Mutex
	cache map[incident.PageTarget]cached // on-call answers, briefly
}

type cached struct {
	people  []incident.OnCallPerson
	expires time.Time
}

// onCallTTL is how long an on-call answer is reused: long enough to spare the API during a
// burst of declarations, short enough to follow a handoff.
const onCallTTL = time.Minute

var _ incident.Pager = (*Pager)(nil)

// Options configure a Pager.
type Options struct {
	Token     string
	From      string
	APIURL    string // "" for PagerDuty's
	EventsURL string // "" for PagerDuty's; events go to <EventsURL>/v2/enqueue
	Timeout   time.Duration
	Transport http.RoundTripper // nil: http.DefaultTransport
}

// New returns a Pager. Its HTTP client notes the ratelimit-reset of a 429 so the outbox
// waits exactly that long.
func New(o Options) *Pager {
	if o.Timeout == 0 {
		o.Timeout = 15 * time.Second
	}
	opts := []pagerduty.ClientOptions{}
	if o.APIURL != "" {
		opts = append(opts, pagerduty.WithAPIEndpoint(strings.TrimSuffix(o.APIURL, "/")))
	}
	if o.EventsURL != "" {
		opts = append(opts, pagerduty.WithV2EventsAPIEndpoint(strings.TrimSuffix(strings.TrimSuffix(o.EventsURL, "/"), "/v2/enqueue")))
	}
	c := pagerduty.NewClient(o.Token, opts...)
	base := o.Transport
	if base == nil {
		base = http.DefaultTransport
	}
	// A 429 pauses calls to that API for every caller until it says (httpgate).
	c.HTTPClient = &http.Client{Timeout: o.Timeout, Transport: rateTransport{httpgate.New(base, nil)}}
	return &Pager{client: c, from: o.From, now: time.Now, cache: map[incident.PageTarget]cached{}}
}

// Page creates a PagerDuty incident (REST) or triggers an alert (Events API) keyed by req.Key.
func (p *Pager) Page(ctx context.Context, req incident.PageRequest) (incident.PageRef, error) {
	if req.Target.RoutingKey != "" {
		return p.trigger(ctx, req)
	}
	if req.Service == "" {
		return incident.PageRef{}, errors.New("no PagerDuty service to page on: set pagerduty.service, or pagerduty_service on the incident's service")
	}
	opts := &pagerduty.CreateIncidentOptions{
		Title:       truncate(req.Title, 255),
		Service:     &pagerduty.APIReference{ID: req.Service, Type: "service_reference"},
		Urgency:     req.Urgency,
		IncidentKey: req.Key,
	}
	if req.Details != "" {
		opts.Body = &pagerduty.APIDetails{Type: "incident_body", Details: req.Details}
	}
	switch t := req.Target; {
	case t.EscalationPolicy != "":
		opts.EscalationPolicy = &pagerduty.APIReference{ID: t.EscalationPolicy, Type: "escalation_policy_reference"}
	case t.Schedule != "":
		people, err := p.OnCall(ctx, t)
		if err != nil {
			return incident.PageRef{}, err
		}
		if len(people) == 0 {
			return incident.PageRef{}, fmt.Errorf("nobody is on call for schedule %s", t.Schedule)
		}
		for _, person := range people {
			opts.Assignments = append(opts.Assignments, assignee(person.ID))
		}
	case t.User != "":
		opts.Assignments = []pagerduty.Assignee{assignee(t.User)}
	default:
		return incident.PageRef{}, errors.New("a page needs an escalation policy, a schedule, a user or a routing key")
	}
	ctx, rl := withRateLimit(ctx)
	inc, err := p.client.CreateIncidentWithContext(ctx, p.from, opts)
	if err != nil {
		if duplicateKey(err) {
			return p.findByKey(ctx, req.Key)
		}
		return incident.PageRef{}, classify("create incident", err, rl)
	}
	return incident.PageRef{ID: inc.ID, URL: inc.HTMLURL}, nil
}

func assignee(userID string) pagerduty.Assignee {
	return pagerduty.Assignee{Assignee: pagerduty.APIObject{ID: userID, Type: "user_reference"}}
}

// findByKey returns the open incident an earlier attempt created with key.
func (p *Pager) findByKey(ctx context.Context, key string) (incident.PageRef, error) {
	ctx, rl := withRateLimit(ctx)
	resp, err := p.client.ListIncidentsWithContext(ctx, pagerduty.ListIncidentsOptions{IncidentKey: key, Statuses: []string{"triggered", "acknowledged"}})
	if err != nil {
		return incident.PageRef{}, classify("find incident by key", err, rl)
	}
	for _, inc := range resp.Incidents {
		if inc.IncidentKey == key {
			return incident.PageRef{ID: inc.ID, URL: inc.HTMLURL}, nil
		}
	}
	return incident.PageRef{}, fmt.Errorf("PagerDuty refused incident key %s as a duplicate but lists no open incident with it", key)
}

// trigger pages through the Events API v2; the dedup key makes a retry a no-op.
func (p *Pager) trigger(ctx context.Context, req incident.PageRequest) (incident.PageRef, error) {
	severity := "warning"
	if req.Urgency == "high" {
		severity = "critical"
	}
	ev := &pagerduty.V2Event{
		RoutingKey: req.Target.RoutingKey, Action: "trigger", DedupKey: req.Key, Client: "incidentbot",
		Payload: &pagerduty.V2Payload{Summary: truncate(req.Title, 1024), Source: "incidentbot", Severity: severity,
			Details: map[string]string{"details": req.Details}},
	}
	ctx, rl := withRateLimit(ctx)
	resp, err := p.client.ManageEventWithContext(ctx, ev)
	if err != nil {
		return incident.PageRef{}, classify("trigger event", err, rl)
	}
	key := resp.DedupKey
	if key == "" {
		key = req.Key
	}
	return incident.PageRef{ID: key}, nil
}

// Resolve resolves a REST incident, or the alert of an Events API page.
func (p *Pager) Resolve(ctx context.Context, target incident.PageTarget, ref incident.PageRef) error {
	ctx, rl := withRateLimit(ctx)
	if target.RoutingKey != "" {
		_, err := p.client.ManageEventWithContext(ctx, &pagerduty.V2Event{RoutingKey: target.RoutingKey, Action: "resolve", DedupKey: ref.ID})
		return classify("resolve event", err, rl)
	}
	_, err := p.client.ManageIncidentsWithContext(ctx, p.from, []pagerduty.ManageIncidentsOptions{{ID: ref.ID, Status: "resolved"}})
	if alreadyResolved(err) {
		return nil
	}
	return classify("resolve incident "+ref.ID, err, rl)
}

// Note adds a note; go-pagerduty sends the note's user summary as the From header.
func (p *Pager) Note(ctx context.Context, pdIncidentID, text string) error {
	ctx, rl := withRateLimit(ctx)
	_, err := p.client.CreateIncidentNoteWithContext(ctx, pdIncidentID, pagerduty.IncidentNote{
		Content: truncate(text, 25000), User: pagerduty.APIObject{Summary: p.from},
	})
	return classify("note on "+pdIncidentID, err, rl)
}

// HasNote reports whether the incident has a note with exactly text.
func (p *Pager) HasNote(ctx context.Context, pdIncidentID, text string) (bool, error) {
	ctx, rl := withRateLimit(ctx)
	notes, err := p.client.ListIncidentNotesWithContext(ctx, pdIncidentID)
	if err != nil {
		return false, classify("list notes of "+pdIncidentID, err, rl)
	}
	for _, n := range notes {
		if n.Content == truncate(text, 25000) {
			return true, nil
		}
	}
	return false, nil
}

// OnCall lists the first-level on-call people of a policy or schedule, cached briefly.
func (p *Pager) OnCall(ctx context.Context, target incident.PageTarget) ([]incident.OnCallPerson, error) {
	key := incident.PageTarget{EscalationPolicy: target.EscalationPolicy, Schedule: target.Schedule}
	if key == (incident.PageTarget{}) {
		return nil, nil // a routing key or a user has no on-call rotation to ask about
	}
	p.mu.Lock()
	if c, ok := p.cache[key]; ok && p.now().Before(c.expires) {
		p.mu.Unlock()
		return c.people, nil
	}
	p.mu.Unlock()
	opts := pagerduty.ListOnCallOptions{Includes: []string{"users"}, Limit: 100}
	if key.EscalationPolicy != "" {
		opts.EscalationPolicyIDs = []string{key.EscalationPolicy}
	} else {
		opts.ScheduleIDs = []string{key.Schedule}
	}
	ctx, rl := withRateLimit(ctx)
	resp, err := p.client.ListOnCallsWithContext(ctx, opts)
	if err != nil {
		return nil, classify("list on-calls", err, rl)
	}
	var people []incident.OnCallPerson
	seen := map[string]bool{}
	for _, oc := range resp.OnCalls {
		if key.EscalationPolicy != "" && oc.EscalationLevel > 1 {
			continue // only the first level is "on call" for the role
		}
		if !seen[oc.User.ID] {
			seen[oc.User.ID] = true
			people = append(people, incident.OnCallPerson{ID: oc.User.ID, Name: oc.User.Name, Email: oc.User.Email})
		}
	}
	p.mu.Lock()
	p.cache[key] = cached{people: people, expires: p.now().Add(onCallTTL)}
	p.mu.Unlock()
	return people, nil
}

// UserByEmail finds the PagerDuty user with exactly this email.
func (p *Pager) UserByEmail(ctx context.Context, email string) (string, bool, error) {
	if email == "" {
		return "", false, nil
	}
	ctx, rl := withRateLimit(ctx)
	resp, err := p.client.ListUsersWithContext(ctx, pagerduty.ListUsersOptions{Query: email})
	if err != nil {
		return "", false, classify("find user", err, rl)
	}
	for _, u := range resp.Users {
		if strings.EqualFold(u.Email, email) {
			return u.ID, true, nil
		}
	}
	return "", false, nil
}

func truncate(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n-1]) + "…"
	}
	return s
}

// rateLimitKey carries a *time.Duration the transport fills from a 429's ratelimit-reset.
type rateLimitKey struct{}

func withRateLimit(ctx context.Context) (context.Context, *time.Duration) {
	d := new(time.Duration)
	return context.WithValue(ctx, rateLimitKey{}, d), d
}

type rateTransport struct{ base http.RoundTripper }

func (t rateTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := t.base.RoundTrip(req)
	if err == nil && resp.StatusCode == http.StatusTooManyRequests {
		if d, ok := req.Context().Value(rateLimitKey{}).(*time.Duration); ok {
			if secs, perr := strconv.ParseFloat(resp.Header.Get("ratelimit-reset"), 64); perr == nil && secs > 0 {
				*d = time.Duration(secs * float64(time.Second))
			}
		}
	}
	return resp, err
}

func apiError(err error) (pagerduty.APIError, bool) {
	var ae pagerduty.APIError
	if errors.As(err, &ae) {
		return ae, true
	}
	var pae *pagerduty.APIError
	if errors.As(err, &pae) {
		return *pae, true
	}
	return pagerduty.APIError{}, false
}

func errorTexts(ae pagerduty.APIError) string {
	if !ae.APIError.Valid {
		return ""
	}
	return ae.APIError.ErrorObject.Message + " " + strings.Join(ae.APIError.ErrorObject.Errors, " ")
}

func duplicateKey(err error) bool {
	ae, ok := apiError(err)
	return ok && ae.StatusCode == http.StatusBadRequest && strings.Contains(errorTexts(ae), "already exists")
}

func alreadyResolved(err error) bool {
	ae, ok := apiError(err)
	return ok && ae.StatusCode == http.StatusBadRequest && strings.Contains(errorTexts(ae), "Already Resolved")
}

// classify maps go-pagerduty errors to the domain's: 429 waits for ratelimit-reset (1 s when
// absent), 5xx and network failures back off, other answers are permanent.
func classify(what string, err error, reset *time.Duration) error {
	if err == nil {
		return nil
	}
	wrapped := fmt.Errorf("pagerduty: %s: %w", what, err)
	ae, ok := apiError(err)
	switch {
	case !ok:
		return incident.Temporary(wrapped) // go-pagerduty wraps network failures as plain errors
	case ae.RateLimited():
		wait := time.Second
		if reset != nil && *reset > 0 {
			wait = *reset
		}
		return incident.RateLimited(wait, wrapped)
	case ae.StatusCode >= 500:
		return incident.Temporary(wrapped)
	case ae.NotFound():
		return &incident.Error{Code: incident.ENOTFOUND, Message: wrapped.Error()}
	}
	return wrapped
}
