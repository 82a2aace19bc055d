package testenv

import (
	"net/http"
	"strings"
	"testing"
)

// The fake must refuse what PagerDuty refuses, or tests against it prove nothing.
func TestPagerDutyFakeValidates(t *testing.T) {
	pd := NewPagerDuty()
	defer pd.Close()
	do := func(method, path, auth, from, body string) int {
		req, _ := http.NewRequest(method, pd.URL()+path, strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		if auth != "" {
			req.Header.Set("Authorization", auth)
		}
		if from != "" {
			req.Header.Set("From", from)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	good := "Token token=" + PagerDutyToken
	inc := `{"incident":{"type":"incident","title":"t","service":{"id":"PSVC001","type":"service_reference"},"incident_key":"k1"}}`
	for _, tc := range []struct {
		name                           string
		method, path, auth, from, body string
		want                           int
	}{
		{"no auth", "POST", "/incidents", "", PagerDutyFrom, inc, 401},
		{"wrong token", "POST", "/incidents", "Token token=nope", PagerDutyFrom, inc, 401},
		{"no From", "POST", "/incidents", good, "", inc, 400},
		{"created", "POST", "/incidents", good, PagerDutyFrom, inc, 201},
		{"duplicate open key", "POST", "/incidents", good, PagerDutyFrom, inc, 400},
		{"unknown service", "POST", "/incidents", good, PagerDutyFrom, strings.Replace(inc, "PSVC001", "PNOPE", 1), 400},
		{"reads need no From", "GET", "/incidents?incident_key=k1", good, "", "", 200},
		{"event with a short routing key", "POST", "/v2/enqueue", "", "", `{"routing_key":"x","event_action":"trigger","payload":{"summary":"s","source":"x","severity":"critical"}}`, 400},
		{"event without summary", "POST", "/v2/enqueue", "", "", `{"routing_key":"` + PagerDutyRoutingKey + `","event_action":"trigger","payload":{"source":"x","severity":"critical"}}`, 400},
		{"event accepted", "POST", "/v2/enqueue", "", "", `{"routing_key":"` + PagerDutyRoutingKey + `","event_action":"trigger","payload":{"summary":"s","source":"x","severity":"critical"}}`, 202},
	} {
		if got := do(tc.method, tc.path, tc.auth, tc.from, tc.body); got != tc.want {
			t.Errorf("%s: %d, want %d", tc.name, got, tc.want)
		}
	}
	pd.Fail("POST /incidents", Fault{Status: 429, RetryAfter: 9})
	req, _ := http.NewRequest("POST", pd.URL()+"/incidents", strings.NewReader(inc))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 429 || resp.Header.Get("ratelimit-reset") != "9" {
		t.Errorf("scripted 429: %d %q", resp.StatusCode, resp.Header.Get("ratelimit-reset"))
	}
}
