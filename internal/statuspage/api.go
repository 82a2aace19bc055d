package statuspage

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/nephoran/incidentbot/internal/incident"
)

// The parts of Statuspage's REST API v1 the bot uses, as its OpenAPI description
// (https://developer.statuspage.io/, "Statuspage API" 1.0.0) documents them:
//
//   - Authentication: header "Authorization: OAuth <api key>" (securitySchemes.api_key).
//   - POST /pages/{page_id}/incidents with {"incident": {...}}: 201 and the Incident;
//     400, 401, 404, 422 with an ErrorEntity.
//   - PATCH /pages/{page_id}/incidents/{incident_id}, the same body: 200 and the Incident.
//   - GET /pages/{page_id}/incidents/{incident_id}: 200 and the Incident.
//   - GET /pages/{page_id}/incidents/unresolved?page=&per_page= (per_page default and most
//     100): 200 and the unresolved incidents; 401, 404.
//   - The incident body (postPagesPageIdIncidents_incident): name (required on create, at
//     most 255 characters), status (investigating, identified, monitoring, resolved for
//     realtime incidents), body (the message of the incident update this makes, at most
//     25000 characters), components ({component id: operational | under_maintenance |
//     degraded_performance | partial_outage | major_outage}), component_ids (the
//     affected components), deliver_notifications (default true), metadata (a JSON object
//     whose top-level values must be objects).
//   - "Each API token is limited to 1 request / second as measured on a 60 second rolling
//     window ... Error codes 420 or 429 indicate that you have exceeded the rate limit and
//     the request has been rejected."
//   - ErrorEntity: {"message": "..."}. Answers seen from the live API also use {"error":
//     "..."} or {"error": ["...", ...]}: both are read.

// incidentBody is the incident object sent on create and update.
type incidentBody struct {
	Name                 string                     `json:"name,omitempty"`
	Status               string                     `json:"status,omitempty"`
	Body                 string                     `json:"body,omitempty"`
	Components           map[string]string          `json:"components,omitempty"`
	ComponentIDs         []string                   `json:"component_ids,omitempty"`
	DeliverNotifications *bool                      `json:"deliver_notifications,omitempty"`
	Metadata             map[string]json.RawMessage `json:"metadata,omitempty"`
}

// apiIncident is what Statuspage answers of an incident (the fields the bot reads).
type apiIncident struct {
	ID              string                     `json:"id"`
	Name            string                     `json:"name"`
	Status          string                     `json:"status"`
	Shortlink       string                     `json:"shortlink"`
	Metadata        map[string]json.RawMessage `json:"metadata"`
	IncidentUpdates []apiUpdate                `json:"incident_updates"`
}

// apiUpdate is one of an incident's updates.
type apiUpdate struct {
	ID        string    `json:"id"`
	Status    string    `json:"status"`
	Body      string    `json:"body"`
	CreatedAt time.Time `json:"created_at"`
}

// latest returns the incident's newest update (Statuspage lists them newest first; the
// creation time decides either way), or false when it has none.
func (i *apiIncident) latest() (apiUpdate, bool) {
	var best apiUpdate
	found := false
	for _, u := range i.IncidentUpdates {
		if !found || u.CreatedAt.After(best.CreatedAt) {
			best, found = u, true
		}
	}
	return best, found
}

// do sends one request and decodes a 2xx answer into out (when not nil). Other answers
// become errors as classify says.
func (c *Client) do(ctx context.Context, method, path string, in, out any) error {
	var body io.Reader
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return fmt.Errorf("statuspage: encode %s %s: %w", method, path, err)
		}
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.base+path, body)
	if err != nil {
		return fmt.Errorf("statuspage: %s %s: %w", method, path, err)
	}
	req.Header.Set("Authorization", "OAuth "+c.key)
	req.Header.Set("Accept", "application/json")
	if in != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := c.http.Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return fmt.Errorf("statuspage: %s %s: %w", method, path, ctx.Err())
		}
		// The error can quote the URL, never the key (it travels in a header).
		return incident.Temporary(fmt.Errorf("statuspage: %s %s: %w", method, path, err))
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if resp.StatusCode/100 == 2 {
		if out == nil {
			return nil
		}
		if err := json.Unmarshal(data, out); err != nil {
			return incident.Temporary(fmt.Errorf("statuspage: %s %s: the answer does not decode: %w", method, path, err))
		}
		return nil
	}
	return c.classify(method, path, resp, data)
}

// classify turns a refusal into an error: 420 and 429 wait for Retry-After (defaultWait
// when it says nothing), 5xx back off, and 401, 404, 422 and the other 4xx fail for good
// with what to fix.
func (c *Client) classify(method, path string, resp *http.Response, data []byte) error {
	msg := apiMessage(data)
	what := fmt.Sprintf("statuspage: %s %s: %d", method, path, resp.StatusCode)
	if msg != "" {
		what += " " + msg
	}
	route, _, _ := strings.Cut(path, "?")
	switch code := resp.StatusCode; {
	case code == 420 || code == http.StatusTooManyRequests:
		return incident.RateLimited(retryAfter(resp.Header), errors.New(what+" (rate limited)"))
	case code >= 500:
		return incident.Temporary(errors.New(what))
	case code == http.StatusUnauthorized:
		return fmt.Errorf("Statuspage refused the API key (401%s): check STATUSPAGE_API_KEY", detail(msg))
	case code == http.StatusForbidden:
		return fmt.Errorf("Statuspage says the API key may not do this on page %s (403%s): check the key's permissions", c.page, detail(msg))
	case code == http.StatusNotFound && strings.Contains(route, "/incidents/") && !strings.HasSuffix(route, "/unresolved"):
		return fmt.Errorf("Statuspage has no incident %s on page %s any more (404%s): it may have been deleted on the page", incidentOf(route), c.page, detail(msg))
	case code == http.StatusNotFound:
		return fmt.Errorf("Statuspage has no page %s for this API key (404%s): check statuspage.page_id", c.page, detail(msg))
	case code == http.StatusUnprocessableEntity:
		return fmt.Errorf("Statuspage refused the incident (422%s): check statuspage.components", detail(msg))
	}
	return fmt.Errorf("Statuspage refused the request (%d%s)", resp.StatusCode, detail(msg))
}

// defaultWait is the wait after a rate limit that gives no Retry-After: Statuspage counts
// requests over a rolling minute, so a few seconds lets the window move.
const defaultWait = 5 * time.Second

// retryAfter reads Retry-After in seconds or as an HTTP date.
func retryAfter(h http.Header) time.Duration {
	v := strings.TrimSpace(h.Get("Retry-After"))
	if secs, err := strconv.ParseFloat(v, 64); err == nil && secs > 0 {
		return time.Duration(secs * float64(time.Second))
	}
	if at, err := http.ParseTime(v); err == nil {
		if d := time.Until(at); d > 0 {
			return d
		}
	}
	return defaultWait
}

// apiMessage reads the message of an error answer: {"message": "..."} (the documented
// ErrorEntity), {"error": "..."} or {"error": ["...", ...]}; "" when the body says none.
func apiMessage(data []byte) string {
	var e struct {
		Message string          `json:"message"`
		Error   json.RawMessage `json:"error"`
	}
	if json.Unmarshal(data, &e) != nil {
		return ""
	}
	if e.Message != "" {
		return e.Message
	}
	var one string
	if json.Unmarshal(e.Error, &one) == nil {
		return one
	}
	var many []string
	if json.Unmarshal(e.Error, &many) == nil {
		return strings.Join(many, "; ")
	}
	return ""
}

func detail(msg string) string {
	if msg == "" {
		return ""
	}
	return ": " + msg
}

// incidentOf is the incident id in a path /pages/{page}/incidents/{id}.
func incidentOf(path string) string {
	_, id, _ := strings.Cut(path, "/incidents/")
	return id
}
