package statuspage_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/nephoran/incidentbot/internal/incident"
	"github.com/nephoran/incidentbot/internal/statuspage"
	"github.com/nephoran/incidentbot/internal/testenv"
)

func newClient(t *testing.T, sp *testenv.Statuspage, key string) *statuspage.Client {
	t.Helper()
	c, err := statuspage.New(statuspage.Options{APIKey: key, PageID: testenv.StatuspagePage, BaseURL: sp.URL(),
		Components: map[string]string{"api-gateway": "vtnh60py4yd7"}})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func fake(t *testing.T) *testenv.Statuspage {
	sp := testenv.NewStatuspage(map[string]string{"vtnh60py4yd7": "API gateway"})
	t.Cleanup(sp.Close)
	return sp
}

// A publication sets only the components the page has, keeps the marker in the metadata,
// renders the chat's text plain, and keeps the name and body within the API's limits.
func TestPublishBody(t *testing.T) {
	sp := fake(t)
	c := newClient(t, sp, testenv.StatuspageKey)
	long := strings.Repeat("é", 30000)
	ref, err := c.Publish(context.Background(), incident.StatusPageUpdate{Marker: "INC-3@x", Name: strings.Repeat("n", 300),
		Status: incident.PublicInvestigating, Body: "See <https://acme.example/status|our notes> &amp; " + long,
		Components: map[string]incident.ComponentStatus{"api-gateway": incident.ComponentDegraded, "analytics": incident.ComponentDegraded}})
	if err != nil {
		t.Fatal(err)
	}
	if ref.How != incident.StatusPageCreated || ref.ID == "" || ref.URL == "" {
		t.Errorf("ref %+v", ref)
	}
	inc := sp.Incidents()[0]
	if body := inc.Updates[0].Body; !strings.HasPrefix(body, "See our notes (https://acme.example/status) & éé") || len([]rune(body)) != statuspage.MaxBody {
		t.Errorf("body %.60q... (%d characters)", body, len([]rune(body)))
	}
	if len([]rune(inc.Name)) != statuspage.MaxName {
		t.Errorf("name of %d characters", len([]rune(inc.Name)))
	}
	if sp.ComponentStatus("vtnh60py4yd7") != "degraded_performance" || len(inc.Components) != 1 {
		t.Errorf("components %v", inc.Components)
	}
	if statuspage.MarkerOf(inc.Metadata) != "INC-3@x" {
		t.Errorf("metadata %s", inc.Metadata)
	}
}

// Refusals say what to fix and are not retried; rate limits and 5xx are, a rate limit
// without Retry-After after statuspage.DefaultWait; the key is in no error.
func TestPublishErrors(t *testing.T) {
	sp := fake(t)
	u := incident.StatusPageUpdate{Marker: "INC-1@x", Name: "Degraded performance", Status: incident.PublicInvestigating, Body: "slow"}
	if _, err := newClient(t, sp, "not-the-key").Publish(context.Background(), u); err == nil ||
		err.Error() != "Statuspage refused the API key (401: Could not authenticate): check STATUSPAGE_API_KEY" {
		t.Errorf("401: %v", err)
	}
	c := newClient(t, sp, testenv.StatuspageKey)
	sp.Fail(testenv.Fault{Status: 420})
	_, err := c.Publish(context.Background(), u)
	var tmp *incident.TemporaryError
	if !errors.As(err, &tmp) || tmp.RetryAfter != statuspage.DefaultWait {
		t.Errorf("420 without Retry-After: %v", err)
	}
	// The 420 holds the next calls, as a 429 does, without asking the page.
	before := len(sp.Requests())
	if _, err := c.Publish(context.Background(), u); !errors.As(err, &tmp) || tmp.RetryAfter <= 0 || len(sp.Requests()) != before {
		t.Errorf("a call right after the 420: %v, %d more requests", err, len(sp.Requests())-before)
	}
	c = newClient(t, sp, testenv.StatuspageKey) // a client that was not told to wait
	sp.Fail(testenv.Fault{Status: 502})
	if _, err := c.Publish(context.Background(), u); !errors.As(err, &tmp) || tmp.RetryAfter != 0 {
		t.Errorf("502: %v", err)
	}
	bad := u
	bad.Status = "scheduled"
	if _, err := c.Publish(context.Background(), bad); err == nil || errors.As(err, &tmp) || !strings.Contains(err.Error(), "422") {
		t.Errorf("422: %v", err)
	}
	sp.Close()
	_, err = c.Publish(context.Background(), u)
	if !errors.As(err, &tmp) || strings.Contains(err.Error(), testenv.StatuspageKey) {
		t.Errorf("unreachable: %v", err)
	}
}

// The error shapes: the documented ErrorEntity and the live API's error string and list.
func TestAPIMessage(t *testing.T) {
	for body, want := range map[string]string{
		`{"message":"The requested resource could not be found."}`: "The requested resource could not be found.",
		`{"error":"Could not authenticate"}`:                       "Could not authenticate",
		`{"error":["Name can't be blank","Status is invalid"]}`:    "Name can't be blank; Status is invalid",
		`<html>502</html>`: "",
	} {
		if got := statuspage.APIMessage([]byte(body)); got != want {
			t.Errorf("%s: %q, want %q", body, got, want)
		}
	}
	h := http.Header{}
	h.Set("Retry-After", "12")
	if d := statuspage.RetryAfter(h); d != 12*time.Second {
		t.Errorf("Retry-After 12: %s", d)
	}
}

// New refuses what could never work, naming it.
func TestNewRefuses(t *testing.T) {
	for _, o := range []statuspage.Options{
		{PageID: "qfn30z5r6s5h"},
		{APIKey: "k", PageID: "QFN"},
		{APIKey: "k", PageID: "qfn30z5r6s5h", Components: map[string]string{"api-gateway": "x"}},
		{APIKey: "k", PageID: "qfn30z5r6s5h", BaseURL: "ftp://x"},
	} {
		if _, err := statuspage.New(o); err == nil {
			t.Errorf("%+v: accepted", o)
		}
	}
}
