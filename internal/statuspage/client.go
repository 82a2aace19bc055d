// Package statuspage implements incidentbot's StatusPage port over Atlassian Statuspage's
// REST API v1 (a small client over net/http; api.go says what of the API it uses and
// where that is documented). Publications are idempotent across retries and crashes: the
// page incident's stored id, else a lookup among the page's unresolved incidents of the
// marker the bot keeps in each incident's metadata, before any create; and a retry first
// reads the incident to see whether the update is already there.
package statuspage

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/nephoran/incidentbot/internal/httpgate"
	"github.com/nephoran/incidentbot/internal/incident"
	"github.com/nephoran/incidentbot/internal/words"
)

// DefaultURL is Statuspage's API (STATUSPAGE_API_URL overrides it).
const DefaultURL = "https://api.statuspage.io/v1"

// IDPattern is the shape of Statuspage's ids (pages, components, incidents): 12 lowercase
// letters and digits, such as qfn30z5r6s5h in its documentation.
var IDPattern = regexp.MustCompile(`^[a-z0-9]{12}$`)

// metadataKey is the top-level metadata object the bot keeps its marker in:
// {"incidentbot": {"incident": "INC-42@2026-11-26T03:00:00.000Z"}}.
const metadataKey = "incidentbot"

// Limits the API documents for the incident body.
const (
	maxName = 255
	maxBody = 25000
)

// Directory names people and channels for the plain text published (incident.Names is one).
type Directory interface {
	Person(ctx context.Context, id string) string
	Channel(ctx context.Context, id string) string
}

// Options configure a Client.
type Options struct {
	APIKey     string
	PageID     string
	Components map[string]string // service name -> component id
	BaseURL    string            // "" for DefaultURL
	Transport  http.RoundTripper // nil: http.DefaultTransport
	Names      Directory         // nil: people and channels shown by the label or ID they were typed with
	// Now is the clock a rate limit's pause is measured on (nil: time.Now); the outbox's, so
	// that its retries and the pause agree.
	Now func() time.Time
}

// Client publishes on one Statuspage page.
type Client struct {
	key, page, base string
	components      map[string]string
	http            *http.Client
	names           Directory
}

var _ incident.StatusPage = (*Client)(nil)

// New returns a Client; it refuses a missing key or page and ids of the wrong shape.
func New(o Options) (*Client, error) {
	switch {
	case o.APIKey == "":
		return nil, errors.New("statuspage needs STATUSPAGE_API_KEY")
	case !IDPattern.MatchString(o.PageID):
		return nil, fmt.Errorf("statuspage: page id %q is not a Statuspage id (12 lowercase letters and digits)", o.PageID)
	}
	for svc, id := range o.Components {
		if !IDPattern.MatchString(id) {
			return nil, fmt.Errorf("statuspage: component %q of %s is not a Statuspage id (12 lowercase letters and digits)", id, svc)
		}
	}
	base := strings.TrimSuffix(o.BaseURL, "/")
	if base == "" {
		base = DefaultURL
	}
	if u, err := url.Parse(base); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("statuspage: API URL %q is not an http(s) URL", base)
	}
	// A 429 pauses calls to Statuspage for every caller until it says (httpgate).
	client := &http.Client{Timeout: 30 * time.Second, Transport: &httpgate.Transport{Base: o.Transport, Now: o.Now}}
	return &Client{key: o.APIKey, page: o.PageID, base: base, components: o.Components, http: client, names: o.Names}, nil
}

// Publish creates the page's incident or updates it (incident.StatusPage).
func (c *Client) Publish(ctx context.Context, u incident.StatusPageUpdate) (incident.StatusPageRef, error) {
	id, how := u.ID, incident.StatusPageUpdated
	var cur *apiIncident // the page incident as it is, when read
	if id == "" {
		found, err := c.find(ctx, u.Marker)
		if err != nil {
			return incident.StatusPageRef{}, err
		}
		if found != nil {
			id, how, cur = found.ID, incident.StatusPageAdopted, found
		}
	}
	body := c.body(ctx, u)
	if id == "" {
		var created apiIncident
		if err := c.do(ctx, http.MethodPost, c.incidents(""), map[string]any{"incident": body}, &created); err != nil {
			return incident.StatusPageRef{}, err
		}
		return incident.StatusPageRef{ID: created.ID, URL: created.Shortlink, How: incident.StatusPageCreated}, nil
	}
	if cur == nil && u.Retry {
		cur = &apiIncident{}
		if err := c.do(ctx, http.MethodGet, c.incidents(id), nil, cur); err != nil {
			return incident.StatusPageRef{}, err
		}
	}
	// An earlier attempt that died before the bot kept its result may have made this very
	// update (or, found by the marker, created the incident with it): not twice.
	if cur != nil {
		if last, ok := cur.latest(); ok && last.Status == body.Status && last.Body == body.Body && !last.CreatedAt.Before(u.Since.Add(-clockSkew)) {
			if how == incident.StatusPageUpdated {
				how = incident.StatusPageUnchanged
			}
			return incident.StatusPageRef{ID: cur.ID, URL: cur.Shortlink, How: how}, nil
		}
	}
	var updated apiIncident
	if err := c.do(ctx, http.MethodPatch, c.incidents(id), map[string]any{"incident": body}, &updated); err != nil {
		return incident.StatusPageRef{}, err
	}
	return incident.StatusPageRef{ID: updated.ID, URL: updated.Shortlink, How: how}, nil
}

// clockSkew is how far Statuspage's clock may be behind the bot's when a retry compares
// the time of the page's latest update with when the bot asked for it.
const clockSkew = 30 * time.Second

// find looks among the page's unresolved incidents for the one carrying marker: made by
// an attempt that died before the bot kept its id. nil when there is none.
func (c *Client) find(ctx context.Context, marker string) (*apiIncident, error) {
	for page := 1; page <= 10; page++ { // 1,000 unresolved incidents: a page far past its worst day
		var list []apiIncident
		if err := c.do(ctx, http.MethodGet, fmt.Sprintf("%s/unresolved?page=%d&per_page=100", c.incidents(""), page), nil, &list); err != nil {
			return nil, err
		}
		for i := range list {
			if markerOf(list[i].Metadata) == marker {
				return &list[i], nil
			}
		}
		if len(list) < 100 {
			return nil, nil
		}
	}
	return nil, nil
}

// body is the incident object of u: the components of the services that have one.
func (c *Client) body(ctx context.Context, u incident.StatusPageUpdate) incidentBody {
	b := incidentBody{Name: cut(u.Name, maxName), Status: string(u.Status), Body: cut(c.plain(ctx, u.Body), maxBody)}
	for _, svc := range slices.Sorted(maps.Keys(u.Components)) {
		id, ok := c.components[svc]
		if !ok {
			continue
		}
		if b.Components == nil {
			b.Components = map[string]string{}
		}
		b.Components[id] = string(u.Components[svc])
		b.ComponentIDs = append(b.ComponentIDs, id)
	}
	mark, _ := json.Marshal(map[string]string{"incident": u.Marker})
	b.Metadata = map[string]json.RawMessage{metadataKey: mark}
	return b
}

// plain renders chat text as the page shows it: people and channels by name, links as
// "label (URL)", no chat syntax.
func (c *Client) plain(ctx context.Context, text string) string {
	s := words.Sentence{Parts: []words.Part{{Kind: words.Chat, Value: text}}}
	var names words.Names
	if c.names != nil {
		names = directory{ctx, c.names}
	}
	return words.PlainText(s, names)
}

// directory adapts a Directory to words.Names.
type directory struct {
	ctx context.Context
	d   Directory
}

func (d directory) Person(id string) string  { return d.d.Person(d.ctx, id) }
func (d directory) Channel(id string) string { return d.d.Channel(d.ctx, id) }

// incidents is the path of the page's incidents, or of one of them.
func (c *Client) incidents(id string) string {
	p := "/pages/" + url.PathEscape(c.page) + "/incidents"
	if id != "" {
		p += "/" + url.PathEscape(id)
	}
	return p
}

// markerOf reads the bot's marker from an incident's metadata ("" when it has none).
func markerOf(m map[string]json.RawMessage) string {
	var mine struct {
		Incident string `json:"incident"`
	}
	if raw, ok := m[metadataKey]; !ok || json.Unmarshal(raw, &mine) != nil {
		return ""
	}
	return mine.Incident
}

// cut shortens s to at most n characters.
func cut(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n-1]) + "…"
	}
	return s
}
